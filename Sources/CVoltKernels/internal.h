#ifndef VOLT_KERNELS_INTERNAL_H
#define VOLT_KERNELS_INTERNAL_H
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "VoltKernels.h"

// One clone per x86-64 level, picked by the loader (ifunc) on the running CPU: never -march=native.
#if defined(__x86_64__) && defined(__clang__)
#define VOLT_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VOLT_MULTIVERSION
#endif
#define VOLT_INLINE static inline __attribute__((always_inline))
// Lets the compiler reorder float sums in the enclosing block so row reductions vectorize (results stay
// deterministic for a given CPU, but differ in the last bits between ISA levels).
#define VOLT_REASSOCIATE _Pragma("clang fp reassociate(on)")

// libgomp's entry points (the runtime behind `#pragma omp parallel`), called directly so that the kernels use
// the pool OpenBLAS and oneDNN already run, without an OpenMP-enabled compiler.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);
int omp_in_parallel(void);
void omp_set_num_threads(int);

typedef void (*volt_range_fn)(void *ctx, size_t begin, size_t end);
/// Runs fn over [0, n) split into contiguous chunks, one per thread; serially when n < 2 * grain.
void volt_parallel_for(size_t n, size_t grain, volt_range_fn fn, void *ctx);

VOLT_INLINE float volt_bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
VOLT_INLINE uint32_t volt_float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
/// float32 → bfloat16 bits, round to nearest with ties to even; NaN stays a (quiet) NaN.
VOLT_INLINE uint16_t volt_float_to_bf16(float x) {
    uint32_t u = volt_float_to_bits(x);
    uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    uint32_t nan = (u >> 16) | 0x40u;
    return (uint16_t)(((u & 0x7fffffffu) > 0x7f800000u) ? nan : rounded);
}

/// bfloat16 bits → float32 (exact: the bits become the float's upper half).
VOLT_INLINE float volt_bf16_to_float(uint16_t x) { return volt_bits_to_float((uint32_t)x << 16); }

/// exp with Cephes' polynomial (≤ 2 ulp on the normal range); 0 below -87.3, +inf above 88.7, NaN kept.
VOLT_INLINE float volt_expf(float x) {
    float c = x > 88.3762626647949f ? 88.3762626647949f : x;
    c = c < -87.3365447504019f ? -87.3365447504019f : c;
    float fx = floorf(c * 1.44269504088896341f + 0.5f);
    float t = c - fx * 0.693359375f + fx * 2.12194440e-4f;
    float y = ((((1.9875691500E-4f * t + 1.3981999507E-3f) * t + 8.3334519073E-3f) * t + 4.1665795894E-2f) * t
               + 1.6666665459E-1f) * t + 5.0000001201E-1f;
    y = y * t * t + t + 1.0f;
    int32_t n = (int32_t)fx;
    float r = y * volt_bits_to_float((uint32_t)(n + 127) << 23);
    r = x > 88.72283935546875f ? INFINITY : r;
    r = x < -87.3365447504019f ? 0.0f : r;
    return x != x ? x : r;
}

/// Natural log with Cephes' polynomial; log(0) = -inf, log(x<0) = NaN, denormals flushed.
VOLT_INLINE float volt_logf(float x) {
    uint32_t bits = volt_float_to_bits(x);
    int32_t e = (int32_t)((bits >> 23) & 0xff) - 126;
    float m = volt_bits_to_float((bits & 0x007fffffu) | 0x3f000000u);
    int small = m < 0.707106781186547524f;
    e -= small;
    m = small ? (m + m - 1.0f) : (m - 1.0f);
    float z = m * m;
    float y = ((((((((7.0376836292E-2f * m - 1.1514610310E-1f) * m + 1.1676998740E-1f) * m - 1.2420140846E-1f) * m
                  + 1.4249322787E-1f) * m - 1.6668057665E-1f) * m + 2.0000714765E-1f) * m - 2.4999993993E-1f) * m
               + 3.3333331174E-1f) * m * z;
    float fe = (float)e;
    y += -2.12194440e-4f * fe;
    y += -0.5f * z;
    float r = m + y + 0.693359375f * fe;
    r = x < 1.17549435e-38f ? -INFINITY : r;
    r = x < 0.0f ? NAN : r;
    r = x == INFINITY ? INFINITY : r;
    return x != x ? x : r;
}

/// tanh: Cephes' odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above.
VOLT_INLINE float volt_tanhf(float x) {
    float ax = fabsf(x);
    float z = x * x;
    float small = ((((-5.70498872745E-3f * z + 2.06390887954E-2f) * z - 5.37397155531E-2f) * z + 1.33314422036E-1f) * z
                   - 3.33332819422E-1f) * z * x + x;
    float e = volt_expf(2.0f * (ax > 10.0f ? 10.0f : ax));
    float big = 1.0f - 2.0f / (e + 1.0f);
    big = x < 0.0f ? -big : big;
    return ax < 0.625f ? small : big;
}

/// erf with Abramowitz & Stegun 7.1.28's rational form refined (absolute error < 1.2e-7).
VOLT_INLINE float volt_erff(float x) {
    // W. J. Cody-style: erf(x) = 1 - t * exp(-x² + P(t)) with t = 1 / (1 + 0.5|x|) (Numerical Recipes erfc).
    float ax = fabsf(x);
    float t = 1.0f / (1.0f + 0.5f * ax);
    float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
              + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
    float r = 1.0f - t * volt_expf(-ax * ax + p);
    return x < 0.0f ? -r : r;
}

/// Maximum of x[0..<n] (n ≥ 1) with sixteen running maxima so that it vectorizes; NaN is not propagated.
VOLT_INLINE float volt_row_max(const float *x, size_t n) {
    float acc[16];
    for (int k = 0; k < 16; k++) acc[k] = -INFINITY;
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; k++) acc[k] = x[j + k] > acc[k] ? x[j + k] : acc[k];
    float m = -INFINITY;
    for (; j < n; j++) m = x[j] > m ? x[j] : m;
    for (int k = 0; k < 16; k++) m = acc[k] > m ? acc[k] : m;
    return m;
}

#define VOLT_SQRT_2_OVER_PI 0.7978845608028654f
#define VOLT_GELU_COEF 0.044715f
#define VOLT_INV_SQRT_2 0.7071067811865476f
#define VOLT_INV_SQRT_2PI 0.3989422804014327f

#endif
