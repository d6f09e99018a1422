#ifndef VOLT_CBLAS_SHIM_H
#define VOLT_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface; the OpenMP build's header comes first on the include path (pkg-config "openblas").
#include <cblas.h>
#endif
