#include "internal.h"
#include <stdlib.h>

#define VOLT_GRAIN 16384

// Each op gets its own loop so the compiler vectorizes a branch-free body.
#define VOLT_BINARY_LOOPS(EXPR)                                                              \
    switch (mode) {                                                                          \
    case VOLT_BCAST_NONE: for (size_t i = begin; i < end; i++) { float x = a[i], y = b[i]; out[i] = (EXPR); } break; \
    case VOLT_BCAST_A_SCALAR: { float x = a[0]; for (size_t i = begin; i < end; i++) { float y = b[i]; out[i] = (EXPR); } } break; \
    case VOLT_BCAST_B_SCALAR: { float y = b[0]; for (size_t i = begin; i < end; i++) { float x = a[i]; out[i] = (EXPR); } } break; \
    }

VOLT_MULTIVERSION
static void volt_binary_range(volt_binary_op op, const float *a, const float *b, float *out, size_t begin, size_t end,
                              volt_bcast_mode mode) {
    switch (op) {
    case VOLT_ADD: VOLT_BINARY_LOOPS(x + y) break;
    case VOLT_SUB: VOLT_BINARY_LOOPS(x - y) break;
    case VOLT_MUL: VOLT_BINARY_LOOPS(x * y) break;
    case VOLT_DIV: VOLT_BINARY_LOOPS(x / y) break;
    case VOLT_POW: VOLT_BINARY_LOOPS(powf(x, y)) break;
    case VOLT_MAXIMUM: VOLT_BINARY_LOOPS(x > y || x != x ? x : y) break;
    }
}

typedef struct { volt_binary_op op; const float *a, *b; float *out; volt_bcast_mode mode; } binary_ctx;
static void binary_task(void *p, size_t begin, size_t end) {
    binary_ctx *c = p;
    volt_binary_range(c->op, c->a, c->b, c->out, begin, end, c->mode);
}

void volt_binary_f32(volt_binary_op op, const float *a, const float *b, float *out, size_t n, volt_bcast_mode mode) {
    binary_ctx c = {op, a, b, out, mode};
    volt_parallel_for(n, VOLT_GRAIN, binary_task, &c);
}

typedef struct { volt_binary_op op; const float *a, *b; float *out; size_t cols; int b_is_row; } rows_ctx;
static void rows_task(void *p, size_t begin, size_t end) {
    rows_ctx *c = p;
    for (size_t r = begin; r < end; r++) {
        const float *ar = c->a + r * c->cols;
        float *o = c->out + r * c->cols;
        if (c->b_is_row) volt_binary_range(c->op, ar, c->b, o, 0, c->cols, VOLT_BCAST_NONE);
        else volt_binary_range(c->op, ar, c->b + r, o, 0, c->cols, VOLT_BCAST_B_SCALAR);
    }
}

void volt_binary_rows_f32(volt_binary_op op, const float *a, const float *b, float *out, size_t rows, size_t cols,
                          int b_is_row) {
    rows_ctx c = {op, a, b, out, cols, b_is_row};
    size_t grain = cols >= VOLT_GRAIN ? 1 : VOLT_GRAIN / (cols ? cols : 1);
    volt_parallel_for(rows, grain, rows_task, &c);
}

#define VOLT_UNARY_LOOP(EXPR) for (size_t i = begin; i < end; i++) { float v = x[i]; out[i] = (EXPR); } break;

VOLT_MULTIVERSION
static void volt_unary_range(volt_unary_op op, const float *x, float *out, size_t begin, size_t end, float alpha,
                             float beta) {
    switch (op) {
    case VOLT_NEG: VOLT_UNARY_LOOP(-v)
    case VOLT_EXP: VOLT_UNARY_LOOP(volt_expf(v))
    case VOLT_LOG: VOLT_UNARY_LOOP(volt_logf(v))
    case VOLT_SQRT: VOLT_UNARY_LOOP(sqrtf(v))
    case VOLT_TANH: VOLT_UNARY_LOOP(volt_tanhf(v))
    case VOLT_GELU_ERF: VOLT_UNARY_LOOP(0.5f * v * (1.0f + volt_erff(v * VOLT_INV_SQRT_2)))
    case VOLT_GELU_TANH:
        VOLT_UNARY_LOOP(0.5f * v * (1.0f + volt_tanhf(VOLT_SQRT_2_OVER_PI * v * (1.0f + VOLT_GELU_COEF * v * v))))
    case VOLT_POW_SCALAR:
        if (alpha == 2.0f) { VOLT_UNARY_LOOP(v * v) }
        VOLT_UNARY_LOOP(powf(v, alpha))
    case VOLT_AFFINE: VOLT_UNARY_LOOP(alpha * v + beta)
    case VOLT_SIGMOID: VOLT_UNARY_LOOP(1.0f / (1.0f + volt_expf(-v)))
    case VOLT_RELU: VOLT_UNARY_LOOP(v > 0.0f ? v : 0.0f)
    case VOLT_ABS: VOLT_UNARY_LOOP(fabsf(v))
    case VOLT_SILU: VOLT_UNARY_LOOP(v / (1.0f + volt_expf(-v)))
    }
}

typedef struct { volt_unary_op op; const float *x; float *out; float alpha, beta; } unary_ctx;
static void unary_task(void *p, size_t begin, size_t end) {
    unary_ctx *c = p;
    volt_unary_range(c->op, c->x, c->out, begin, end, c->alpha, c->beta);
}

void volt_unary_f32(volt_unary_op op, const float *x, float *out, size_t n, float alpha, float beta) {
    unary_ctx c = {op, x, out, alpha, beta};
    volt_parallel_for(n, VOLT_GRAIN, unary_task, &c);
}

#define VOLT_GRAD_LOOP(EXPR) for (size_t i = begin; i < end; i++) { float v = x ? x[i] : 0.0f; float w = y ? y[i] : 0.0f; (void)v; (void)w; dx[i] = dy[i] * (EXPR); } break;

VOLT_INLINE float volt_gelu_tanh_grad(float v) {
    float u = VOLT_SQRT_2_OVER_PI * v * (1.0f + VOLT_GELU_COEF * v * v);
    float t = volt_tanhf(u);
    return 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * VOLT_SQRT_2_OVER_PI * (1.0f + 3.0f * VOLT_GELU_COEF * v * v);
}

VOLT_INLINE float volt_gelu_erf_grad(float v) {
    return 0.5f * (1.0f + volt_erff(v * VOLT_INV_SQRT_2)) + v * VOLT_INV_SQRT_2PI * volt_expf(-0.5f * v * v);
}

/// d/dv v·σ(v) = σ(v) · (1 + v · (1 − σ(v))).
VOLT_INLINE float volt_silu_grad(float v) {
    float s = 1.0f / (1.0f + volt_expf(-v));
    return s * (1.0f + v * (1.0f - s));
}

VOLT_MULTIVERSION
static void volt_unary_backward_range(volt_unary_op op, const float *x, const float *y, const float *dy, float *dx,
                                      size_t begin, size_t end, float alpha) {
    switch (op) {
    case VOLT_NEG: VOLT_GRAD_LOOP(-1.0f)
    case VOLT_EXP: VOLT_GRAD_LOOP(w)
    case VOLT_LOG: VOLT_GRAD_LOOP(1.0f / v)
    case VOLT_SQRT: VOLT_GRAD_LOOP(0.5f / w)
    case VOLT_TANH: VOLT_GRAD_LOOP(1.0f - w * w)
    case VOLT_GELU_ERF: VOLT_GRAD_LOOP(volt_gelu_erf_grad(v))
    case VOLT_GELU_TANH: VOLT_GRAD_LOOP(volt_gelu_tanh_grad(v))
    case VOLT_POW_SCALAR: VOLT_GRAD_LOOP(alpha == 0.0f ? 0.0f : alpha * powf(v, alpha - 1.0f))
    case VOLT_AFFINE: VOLT_GRAD_LOOP(alpha)
    case VOLT_SIGMOID: VOLT_GRAD_LOOP(w * (1.0f - w))
    case VOLT_RELU: VOLT_GRAD_LOOP(v > 0.0f ? 1.0f : 0.0f)
    case VOLT_ABS: VOLT_GRAD_LOOP(v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f))
    case VOLT_SILU: VOLT_GRAD_LOOP(volt_silu_grad(v))
    }
}

typedef struct { volt_unary_op op; const float *x, *y, *dy; float *dx; float alpha; } unary_bw_ctx;
static void unary_bw_task(void *p, size_t begin, size_t end) {
    unary_bw_ctx *c = p;
    volt_unary_backward_range(c->op, c->x, c->y, c->dy, c->dx, begin, end, c->alpha);
}

void volt_unary_backward_f32(volt_unary_op op, const float *x, const float *y, const float *dy, float *dx, size_t n,
                             float alpha) {
    unary_bw_ctx c = {op, x, y, dy, dx, alpha};
    volt_parallel_for(n, VOLT_GRAIN, unary_bw_task, &c);
}

// bfloat16 companions: an activation's rounded copy is written in the same pass that computes it, and the backward
// pass reads a saved bfloat16 input directly, in blocks widened on the stack.
#define VOLT_BF16_BLOCK 1024

typedef struct { volt_unary_op op; const float *x; float *out; uint16_t *x16, *out16; float alpha, beta; } unary_round_ctx;
VOLT_MULTIVERSION
static void unary_round_task(void *p, size_t begin, size_t end) {
    unary_round_ctx *c = p;
    float block[VOLT_BF16_BLOCK];  // the output of one block when no float32 output is asked for
    // Block by block, so the roundings re-read the input and output from cache, not memory.
    for (size_t start = begin; start < end; start += VOLT_BF16_BLOCK) {
        size_t count = end - start < VOLT_BF16_BLOCK ? end - start : VOLT_BF16_BLOCK;
        const float *x = c->x + start;
        float *out = c->out ? c->out + start : block;
        volt_unary_range(c->op, x, out, 0, count, c->alpha, c->beta);
        if (c->x16) for (size_t i = 0; i < count; i++) c->x16[start + i] = volt_float_to_bf16(x[i]);
        if (c->out16) for (size_t i = 0; i < count; i++) c->out16[start + i] = volt_float_to_bf16(out[i]);
    }
}

void volt_unary_round_f32(volt_unary_op op, const float *x, float *out, uint16_t *x16, uint16_t *out16, size_t n,
                          float alpha, float beta) {
    unary_round_ctx c = {op, x, out, x16, out16, alpha, beta};
    volt_parallel_for(n, VOLT_GRAIN, unary_round_task, &c);
}

typedef struct {
    volt_unary_op op;
    const uint16_t *x16, *y16;
    const float *dy;
    float *dx;
    uint16_t *dx16;
    float alpha;
    size_t rows, cols, rows_per_chunk;
    float *partial;  // [chunks, cols]: each chunk of rows' column sums of dx (NULL: none)
} unary_bw16_ctx;

VOLT_MULTIVERSION
static void unary_bw16_range(const unary_bw16_ctx *c, size_t begin, size_t end) {
    float x[VOLT_BF16_BLOCK], y[VOLT_BF16_BLOCK];
    for (size_t start = begin; start < end; start += VOLT_BF16_BLOCK) {
        size_t count = end - start < VOLT_BF16_BLOCK ? end - start : VOLT_BF16_BLOCK;
        if (c->x16) for (size_t i = 0; i < count; i++) x[i] = volt_bf16_to_float(c->x16[start + i]);
        if (c->y16) for (size_t i = 0; i < count; i++) y[i] = volt_bf16_to_float(c->y16[start + i]);
        volt_unary_backward_range(c->op, c->x16 ? x : NULL, c->y16 ? y : NULL, c->dy + start, c->dx + start, 0, count,
                                  c->alpha);
        if (c->dx16)
            for (size_t i = 0; i < count; i++) c->dx16[start + i] = volt_float_to_bf16(c->dx[start + i]);
    }
}

static void unary_bw16_task(void *p, size_t begin, size_t end) { unary_bw16_range(p, begin, end); }

/// Chunks of rows: the gradient of each, then its column sums from the rows just written (still in cache).
VOLT_MULTIVERSION
static void unary_bw16_chunk_task(void *p, size_t begin, size_t end) {
    unary_bw16_ctx *c = p;
    for (size_t k = begin; k < end; k++) {
        size_t cols = c->cols, r0 = k * c->rows_per_chunk;
        size_t r1 = r0 + c->rows_per_chunk < c->rows ? r0 + c->rows_per_chunk : c->rows;
        unary_bw16_range(c, r0 * cols, r1 * cols);
        float *sums = c->partial + k * cols;
        memcpy(sums, c->dx + r0 * cols, cols * sizeof(float));
        for (size_t r = r0 + 1; r < r1; r++) {
            const float *row = c->dx + r * cols;
            for (size_t j = 0; j < cols; j++) sums[j] += row[j];
        }
    }
}

void volt_unary_backward_bf16_saved(volt_unary_op op, const uint16_t *x16, const uint16_t *y16, const float *dy,
                                    float *dx, uint16_t *dx16, size_t n, float alpha, size_t cols,
                                    float *column_sums) {
    size_t rows = cols ? n / cols : 0;
    // Chunks of a fixed number of rows (not one per thread), so the sums do not depend on the thread count.
    enum { per_chunk = 32 };
    size_t chunks = (rows + per_chunk - 1) / per_chunk;
    unary_bw16_ctx c = {op, x16, y16, dy, dx, dx16, alpha, rows, cols, per_chunk, NULL};
    if (!column_sums || rows == 0 || rows * cols != n || !(c.partial = malloc(sizeof(float) * chunks * cols))) {
        volt_parallel_for(n, VOLT_GRAIN, unary_bw16_task, &c);
        if (column_sums && rows * cols == n) volt_reduce_sum_f32(dx, column_sums, 1, rows, cols);
        return;
    }
    volt_parallel_for(chunks, 1, unary_bw16_chunk_task, &c);
    volt_reduce_sum_f32(c.partial, column_sums, 1, chunks, cols);
    free(c.partial);
}

typedef struct { const float *x, *mask; float *out; float value; } masked_ctx;
VOLT_MULTIVERSION
static void masked_task(void *p, size_t begin, size_t end) {
    masked_ctx *c = p;
    for (size_t i = begin; i < end; i++) c->out[i] = c->mask[i] != 0.0f ? c->value : c->x[i];
}

void volt_masked_fill_f32(const float *x, const float *mask, float *out, size_t n, float value) {
    masked_ctx c = {x, mask, out, value};
    volt_parallel_for(n, VOLT_GRAIN, masked_task, &c);
}

typedef struct { float *out; float value; } fill_ctx;
VOLT_MULTIVERSION
static void fill_task(void *p, size_t begin, size_t end) {
    fill_ctx *c = p;
    for (size_t i = begin; i < end; i++) c->out[i] = c->value;
}

void volt_fill_f32(float *out, size_t n, float value) {
    fill_ctx c = {out, value};
    volt_parallel_for(n, VOLT_GRAIN * 4, fill_task, &c);
}

typedef struct { float alpha, beta; const float *x; float *y; } axpby_ctx;
VOLT_MULTIVERSION
static void axpby_task(void *p, size_t begin, size_t end) {
    axpby_ctx *c = p;
    const float *x = c->x;
    float *y = c->y;
    float alpha = c->alpha, beta = c->beta;
    if (beta == 1.0f) {
        for (size_t i = begin; i < end; i++) y[i] += alpha * x[i];
    } else {
        for (size_t i = begin; i < end; i++) y[i] = alpha * x[i] + beta * y[i];
    }
}

void volt_axpby_f32(float alpha, const float *x, float beta, float *y, size_t n) {
    axpby_ctx c = {alpha, beta, x, y};
    volt_parallel_for(n, VOLT_GRAIN, axpby_task, &c);
}

VOLT_MULTIVERSION
int volt_all_finite_f32(const float *x, size_t n) {
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) bad |= (volt_float_to_bits(x[i]) & 0x7f800000u) == 0x7f800000u;
    return bad == 0;
}
