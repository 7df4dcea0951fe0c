// The C surface of libyaml (libyaml-dev) that callguard's policy loader uses.
#ifndef CALLGUARD_CYAML_SHIM_H
#define CALLGUARD_CYAML_SHIM_H
#include <yaml.h>
#endif
