#ifndef VOLT_CZLIB_SHIM_H
#define VOLT_CZLIB_SHIM_H
#include <zlib.h>
#endif
