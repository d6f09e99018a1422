#ifndef VOLT_KERNELS_BF16_GEMM_H
#define VOLT_KERNELS_BF16_GEMM_H
#include "internal.h"

/// A oneDNN stream for one thread's products (opaque); NULL when oneDNN has no CPU engine.
typedef void *volt_bf16_stream;
volt_bf16_stream volt_bf16_stream_create(void);
void volt_bf16_stream_destroy(volt_bf16_stream stream);

/// C[m, n] = op(A)·op(B) (or C += … when `accumulate`), row-major with leading dimensions; A and B bfloat16 bits,
/// op(X) = Xᵀ when trans_x (X then stored [cols, rows]). Runs on the calling thread inside a parallel region.
/// Returns 0, or -1 when oneDNN cannot create or run the product (no AVX512_BF16 kernels, say).
int volt_bf16_gemm(volt_bf16_stream stream, int trans_a, int trans_b, size_t m, size_t n, size_t k, const uint16_t *a,
                   size_t lda, const uint16_t *b, size_t ldb, int accumulate, float *c, size_t ldc);
#endif
