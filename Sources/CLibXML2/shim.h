#ifndef OMNISIM_CLIBXML2_SHIM_H
#define OMNISIM_CLIBXML2_SHIM_H
// Debian's libxml2 is built with ICU; its ICU types clash with Foundation's copy. Hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlwriter.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

// libxml2 exposes xmlFree as a mutable global, which Swift 6 rejects; call it through a function.
static inline void omnisim_xml_free(void *ptr) { xmlFree(ptr); }
#endif
