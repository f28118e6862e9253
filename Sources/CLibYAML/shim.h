#ifndef OMNISIM_CLIBYAML_SHIM_H
#define OMNISIM_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
