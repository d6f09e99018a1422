#ifndef VOLT_CDNNL_SHIM_H
#define VOLT_CDNNL_SHIM_H
// oneDNN 2.6 C API (Debian libdnnl-dev ships no pkg-config file).
#include <oneapi/dnnl/dnnl.h>

static inline int volt_dnnl_arg_src(void) { return DNNL_ARG_SRC; }
static inline int volt_dnnl_arg_weights(void) { return DNNL_ARG_WEIGHTS; }
static inline int volt_dnnl_arg_dst(void) { return DNNL_ARG_DST; }
static inline int volt_dnnl_arg_bias(void) { return DNNL_ARG_BIAS; }
#endif
