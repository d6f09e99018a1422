#ifndef VOLT_CVOLTZLIB_SHIM_H
#define VOLT_CVOLTZLIB_SHIM_H
#include <zlib.h>
#endif
