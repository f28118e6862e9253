#ifndef OMNISIM_CMALLOC_SHIM_H
#define OMNISIM_CMALLOC_SHIM_H
// glibc's allocator settings (mallopt), which the Glibc module does not carry.
#ifdef __linux__
#include <malloc.h>
#endif
#endif
