// Causal attention with bfloat16 products (oneDNN's AVX512_BF16 matmul): the float32 kernel's algorithm — heads
// in parallel, blocks of queries, softmax statistics, masks, dropout and rotary embeddings in float32 — with
// q, k, v, dO, probabilities and score gradients rounded to bfloat16 as the inputs of each product.
#include <stdatomic.h>
#include <stdlib.h>
#include "attention.h"
#include "bf16_gemm.h"

/// Queries per block: larger than the float32 kernel's, since each product here has a fixed call cost.
#define VOLT_ATTENTION_BF16_BLOCK 128

typedef struct {
    attention_ctx c;
    atomic_int failed;
} attention_bf16_ctx;

VOLT_MULTIVERSION
static void round_rows(const float *src, size_t src_ld, uint16_t *dst, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) dst[r * cols + j] = volt_float_to_bf16(src[r * src_ld + j]);
}

VOLT_MULTIVERSION
static void attention_forward_bf16_task(void *p, size_t begin, size_t end) {
    attention_bf16_ctx *x = p;
    const attention_ctx *c = &x->c;
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, ld_out = d->heads * hd, B = VOLT_ATTENTION_BF16_BLOCK;
    float *buf = malloc(sizeof(float) * (3 * T * hd + B * T));
    uint16_t *buf16 = malloc(sizeof(uint16_t) * (3 * T * hd + B * T));
    volt_bf16_stream stream = volt_bf16_stream_create();
    float *q = buf, *k = q + T * hd, *v = k + T * hd, *s = v + T * hd;
    uint16_t *q16 = buf16, *k16 = q16 + T * hd, *v16 = k16 + T * hd, *p16 = v16 + T * hd;
    int ok = buf && buf16 && stream;
    for (size_t bh = begin; ok && bh < end; bh++) {
        volt_gather_head(c, bh, q, k, v);
        round_rows(q, hd, q16, 3 * T, hd);  // q, k and v are adjacent
        size_t b = bh / d->heads, h = bh % d->heads;
        for (size_t i0 = 0; ok && i0 < T; i0 += B) {
            size_t rows = i0 + B <= T ? B : T - i0, cols = i0 + rows;
            ok = volt_bf16_gemm(stream, 0, 1, rows, cols, hd, q16 + i0 * hd, hd, k16, hd, 0, s, cols) == 0;
            volt_block_probabilities(c, bh, i0, rows, cols, s, c->lse + bh * T + i0, 0);
            volt_attention_dropout(d, bh, i0, rows, cols, s);
            round_rows(s, cols, p16, rows, cols);
            ok = ok && volt_bf16_gemm(stream, 0, 0, rows, hd, cols, p16, cols, v16, hd, 0,
                                      c->o + ((b * T + i0) * d->heads + h) * hd, ld_out) == 0;
        }
    }
    if (!ok) atomic_store(&x->failed, 1);
    volt_bf16_stream_destroy(stream);
    free(buf);
    free(buf16);
}

VOLT_MULTIVERSION
static void attention_backward_bf16_task(void *p, size_t begin, size_t end) {
    attention_bf16_ctx *x = p;
    const attention_ctx *c = &x->c;
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, H = d->heads, ld = H * hd, B = VOLT_ATTENTION_BF16_BLOCK;
    float *buf = malloc(sizeof(float) * (6 * T * hd + 2 * B * T + T));
    uint16_t *buf16 = malloc(sizeof(uint16_t) * (4 * T * hd + 2 * B * T));
    volt_bf16_stream stream = volt_bf16_stream_create();
    float *q = buf, *k = q + T * hd, *v = k + T * hd, *dq = v + T * hd, *dk = dq + T * hd, *dv = dk + T * hd;
    float *pr = dv + T * hd, *dp = pr + B * T, *delta = dp + B * T;
    uint16_t *q16 = buf16, *k16 = q16 + T * hd, *v16 = k16 + T * hd, *do16 = v16 + T * hd;
    uint16_t *p16 = do16 + T * hd, *ds16 = p16 + B * T;
    int ok = buf && buf16 && stream;
    for (size_t bh = begin; ok && bh < end; bh++) {
        size_t b = bh / H, h = bh % H;
        volt_gather_head(c, bh, q, k, v);
        round_rows(q, hd, q16, 3 * T, hd);
        round_rows(c->dout + (b * T * H + h) * hd, ld, do16, T, hd);
        volt_head_delta(c, bh, delta);
        memset(dk, 0, sizeof(float) * 2 * T * hd);  // dk and dv accumulate over blocks
        for (size_t i0 = 0; ok && i0 < T; i0 += B) {
            size_t rows = i0 + B <= T ? B : T - i0, cols = i0 + rows;
            ok = volt_bf16_gemm(stream, 0, 1, rows, cols, hd, q16 + i0 * hd, hd, k16, hd, 0, pr, cols) == 0;
            volt_block_probabilities(c, bh, i0, rows, cols, pr, (float *)c->lse_in + bh * T + i0, 1);
            // dP = dO · Vᵀ, then dS and the dropped probabilities
            ok = ok && volt_bf16_gemm(stream, 0, 1, rows, cols, hd, do16 + i0 * hd, hd, v16, hd, 0, dp, cols) == 0;
            volt_score_gradient(d, bh, i0, rows, cols, pr, dp, delta + i0);
            round_rows(pr, cols, p16, rows, cols);
            round_rows(dp, cols, ds16, rows, cols);
            // dQ' = dS · K, dK += dSᵀ · Q', dV += Pdropᵀ · dO
            ok = ok && volt_bf16_gemm(stream, 0, 0, rows, hd, cols, ds16, cols, k16, hd, 0, dq + i0 * hd, hd) == 0;
            ok = ok && volt_bf16_gemm(stream, 1, 0, cols, hd, rows, ds16, cols, q16 + i0 * hd, hd, 1, dk, hd) == 0;
            ok = ok && volt_bf16_gemm(stream, 1, 0, cols, hd, rows, p16, cols, do16 + i0 * hd, hd, 1, dv, hd) == 0;
        }
        if (ok) volt_scatter_head(c, bh, dq, dk, dv);
    }
    if (!ok) atomic_store(&x->failed, 1);
    volt_bf16_stream_destroy(stream);
    free(buf);
    free(buf16);
}

int volt_attention_forward_bf16(const volt_attention_desc *desc, const float *qkv, float *out, float *lse) {
    attention_bf16_ctx x = {{desc, qkv, NULL, NULL, NULL, out, lse, NULL, NULL, NULL}, 0};
    volt_for_each_head(&x.c, attention_forward_bf16_task, &x);
    return atomic_load(&x.failed) ? -1 : 0;
}

int volt_attention_backward_bf16(const volt_attention_desc *desc, const float *qkv, const float *out,
                                 const float *lse, const float *dout, float *dqkv) {
    attention_bf16_ctx x = {{desc, qkv, out, lse, dout, NULL, NULL, dqkv, NULL, NULL}, 0};
    volt_for_each_head(&x.c, attention_backward_bf16_task, &x);
    return atomic_load(&x.failed) ? -1 : 0;
}
