// Causal attention with bfloat16 products (oneDNN's AVX512_BF16 matmul): the float32 kernel's algorithm — heads
// in parallel, blocks of queries, softmax statistics, masks, dropout and rotary embeddings in float32 — with
// q, k, v, dO, probabilities and score gradients rounded to bfloat16 as the inputs of each product.
//
// The roundings are fused into the passes that make the values: a head's q, k and v are rotated and rounded as
// they are gathered from float32 qkv, probabilities and score gradients are rounded as they are computed, the
// forward pass writes a bfloat16 copy of its output beside the float32 one, and the backward pass writes dqkv's
// bfloat16 copy and column sums as it scatters each head, so no separate pass reads them again.
//
// For its backward pass the forward pass keeps each head's gathered q, k and v (rotated, scaled, rounded) rather
// than qkv, so the backward pass gathers nothing; and, where given room, each block's probabilities, so the
// backward pass neither repeats the q·kᵀ products nor the exponentials (a fifth of its products).
#include <stdatomic.h>
#include <stdlib.h>
#include "attention.h"
#include "bf16_gemm.h"

/// Queries per block: larger than the float32 kernel's, since each product here has a fixed call cost.
#define VOLT_ATTENTION_BF16_BLOCK 128

typedef struct {
    attention_ctx c;
    const uint16_t *out16;  // backward: the saved bfloat16 output (used where the float32 one is NULL)
    uint16_t *keep_out16;   // forward: where to write that copy (NULL: none)
    uint16_t *heads;        // forward writes, backward reads each head's q, k, v (NULL: gathered from qkv)
    uint16_t *probs;        // forward writes, backward reads each block's probabilities (NULL: recomputed)
    uint16_t *dqkv16;       // backward: where to write dqkv rounded to bfloat16 (NULL: nowhere)
    float *head_sums;       // backward: [batch · heads, 3 · head_dim] column sums of each head's dqkv (NULL: none)
    atomic_int failed;
} attention_bf16_ctx;

/// Where the probabilities of the block of queries i0 ..< i0 + rows (each seeing keys 0 ..< i0 + rows) start within
/// a head's saved probabilities: the blocks before it, each rows_j × (i0_j + rows_j), one after another.
static size_t block_offset(size_t i0) {
    size_t n = i0 / VOLT_ATTENTION_BF16_BLOCK;
    return (size_t)VOLT_ATTENTION_BF16_BLOCK * VOLT_ATTENTION_BF16_BLOCK * n * (n + 1) / 2;
}

/// Probabilities one head keeps: every block's, lower triangle and diagonal blocks whole.
static size_t probs_per_head(size_t seq) {
    size_t n = seq / VOLT_ATTENTION_BF16_BLOCK, rest = seq % VOLT_ATTENTION_BF16_BLOCK;
    return block_offset(n * VOLT_ATTENTION_BF16_BLOCK) + rest * seq;
}

size_t volt_attention_bf16_probs_count(const volt_attention_desc *desc) {
    return desc->batch * desc->heads * probs_per_head(desc->seq);
}

VOLT_MULTIVERSION
static void round_rows(const float *src, size_t src_ld, uint16_t *dst, size_t dst_ld, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) dst[r * dst_ld + j] = volt_float_to_bf16(src[r * src_ld + j]);
}

/// Head bh's q (rotated, scaled by 1/√d), k (rotated) and v as bfloat16 [seq, head_dim] buffers — the same values
/// as the float32 gather followed by rounding; `row` is scratch for 3 · head_dim floats.
VOLT_MULTIVERSION
static void gather_head_bf16(const attention_ctx *c, size_t bh, float *row, uint16_t *q16, uint16_t *k16,
                             uint16_t *v16) {
    const volt_attention_desc *d = c->d;
    size_t b = bh / d->heads, h = bh % d->heads, hd = d->head_dim;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t t = 0; t < d->seq; t++) {
        memcpy(row, c->qkv + ((b * d->seq + t) * d->heads + h) * 3 * hd, 3 * hd * sizeof(float));
        volt_rotate(row, c, t, 0);
        volt_rotate(row + hd, c, t, 0);
        for (size_t e = 0; e < hd; e++) q16[t * hd + e] = volt_float_to_bf16(row[e] * scale);
        for (size_t e = 0; e < hd; e++) k16[t * hd + e] = volt_float_to_bf16(row[hd + e]);
        for (size_t e = 0; e < hd; e++) v16[t * hd + e] = volt_float_to_bf16(row[2 * hd + e]);
    }
}

/// delta_t = dO_t · O_t for head bh, with O float32 or the saved bfloat16 copy.
VOLT_MULTIVERSION
static void head_delta_bf16(const attention_bf16_ctx *x, size_t bh, float *delta) {
    VOLT_REASSOCIATE  // the dot products vectorize
    const attention_ctx *c = &x->c;
    if (c->out) {
        volt_head_delta(c, bh, delta);
        return;
    }
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, H = d->heads, ld = H * hd, b = bh / H, h = bh % H;
    const float *dout = c->dout + (b * T * H + h) * hd;
    const uint16_t *o = x->out16 + (b * T * H + h) * hd;
    for (size_t t = 0; t < T; t++) {
        float acc = 0.0f;
        for (size_t e = 0; e < hd; e++) acc += dout[t * ld + e] * volt_bf16_to_float(o[t * ld + e]);
        delta[t] = acc;
    }
}

/// dS = P ∘ (dP ∘ keep − delta) and the dropped probabilities P ∘ keep for queries i0.., written rounded to
/// bfloat16 (the inputs of the three gradient products) — ``volt_score_gradient`` followed by rounding.
VOLT_MULTIVERSION
static void score_gradient_bf16(const volt_attention_desc *d, size_t bh, size_t i0, size_t rows, size_t cols,
                                const float *p, const float *dp, const float *delta, uint16_t *p16, uint16_t *ds16) {
    for (size_t r = 0; r < rows; r++) {
        const float *prow = p + r * cols, *dprow = dp + r * cols;
        uint16_t *p16row = p16 + r * cols, *ds16row = ds16 + r * cols;
        float di = delta[r];
        if (d->dropout > 0.0f) {
            for (size_t j = 0; j < cols; j++) {
                float keep = volt_attention_keep(d, bh, i0 + r, j), pij = prow[j];
                ds16row[j] = volt_float_to_bf16(pij * (dprow[j] * keep - di));
                p16row[j] = volt_float_to_bf16(pij * keep);
            }
        } else {
            for (size_t j = 0; j < cols; j++) {
                ds16row[j] = volt_float_to_bf16(prow[j] * (dprow[j] - di));
                p16row[j] = volt_float_to_bf16(prow[j]);
            }
        }
    }
}

/// dS = P ∘ (dP − delta) from the bfloat16 probabilities the forward pass kept (no dropout), rounded to bfloat16.
VOLT_MULTIVERSION
static void score_gradient_saved_bf16(size_t rows, size_t cols, const uint16_t *p16, const float *dp,
                                      const float *delta, uint16_t *ds16) {
    for (size_t r = 0; r < rows; r++) {
        const uint16_t *prow = p16 + r * cols;
        const float *dprow = dp + r * cols;
        uint16_t *dsrow = ds16 + r * cols;
        float di = delta[r];
        for (size_t j = 0; j < cols; j++) dsrow[j] = volt_float_to_bf16(volt_bf16_to_float(prow[j]) * (dprow[j] - di));
    }
}

/// Head bh's kept q, k and v: [3, seq, head_dim] from the start of the saved heads.
static uint16_t *saved_head(const attention_bf16_ctx *x, size_t bh) {
    const volt_attention_desc *d = x->c.d;
    return x->heads + bh * 3 * d->seq * d->head_dim;
}

/// Head bh's kept probabilities of the block of queries from i0.
static uint16_t *saved_block(const attention_bf16_ctx *x, size_t bh, size_t i0) {
    return x->probs + bh * probs_per_head(x->c.d->seq) + block_offset(i0);
}

/// Head bh's gradients into dqkv (``volt_scatter_head``), then, when asked for, from those rows while they are still
/// in cache: dqkv rounded to bfloat16 into dqkv16 (the copy the projection's backward products read) and summed
/// over positions into head_sums.
VOLT_MULTIVERSION
static void scatter_head_bf16(const attention_bf16_ctx *x, size_t bh, float *dq, float *dk, const float *dv) {
    const attention_ctx *c = &x->c;
    volt_scatter_head(c, bh, dq, dk, dv);
    if (!x->dqkv16 && !x->head_sums) return;
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, width = 3 * d->head_dim, H = d->heads, b = bh / H, h = bh % H;
    float *sums = x->head_sums ? x->head_sums + bh * width : NULL;
    if (sums) memset(sums, 0, width * sizeof(float));
    for (size_t t = 0; t < T; t++) {
        size_t at = ((b * T + t) * H + h) * width;
        const float *row = c->dqkv + at;
        if (x->dqkv16)
            for (size_t e = 0; e < width; e++) x->dqkv16[at + e] = volt_float_to_bf16(row[e]);
        if (sums)
            for (size_t e = 0; e < width; e++) sums[e] += row[e];
    }
}

VOLT_MULTIVERSION
static void attention_forward_bf16_task(void *p, size_t begin, size_t end) {
    attention_bf16_ctx *x = p;
    const attention_ctx *c = &x->c;
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, ld_out = d->heads * hd, B = VOLT_ATTENTION_BF16_BLOCK;
    float *buf = malloc(sizeof(float) * (3 * hd + B * T));
    uint16_t *buf16 = malloc(sizeof(uint16_t) * (3 * T * hd + B * T));
    volt_bf16_stream stream = volt_bf16_stream_create();
    float *row = buf, *s = row + 3 * hd;
    int ok = buf && buf16 && stream;
    for (size_t bh = begin; ok && bh < end; bh++) {
        uint16_t *q16 = x->heads ? saved_head(x, bh) : buf16, *k16 = q16 + T * hd, *v16 = k16 + T * hd;
        gather_head_bf16(c, bh, row, q16, k16, v16);
        size_t b = bh / d->heads, h = bh % d->heads;
        for (size_t i0 = 0; ok && i0 < T; i0 += B) {
            size_t rows = i0 + B <= T ? B : T - i0, cols = i0 + rows;
            uint16_t *p16 = x->probs ? saved_block(x, bh, i0) : buf16 + 3 * T * hd;
            ok = volt_bf16_gemm(stream, 0, 1, rows, cols, hd, q16 + i0 * hd, hd, k16, hd, 0, s, cols) == 0;
            if (d->dropout > 0.0f) {
                volt_block_probabilities(c, bh, i0, rows, cols, s, c->lse + bh * T + i0, 0, NULL);
                volt_attention_dropout(d, bh, i0, rows, cols, s);
                round_rows(s, cols, p16, cols, rows, cols);
            } else {
                volt_block_probabilities(c, bh, i0, rows, cols, s, c->lse + bh * T + i0, 0, p16);
            }
            size_t at = ((b * T + i0) * d->heads + h) * hd;
            ok = ok && volt_bf16_gemm(stream, 0, 0, rows, hd, cols, p16, cols, v16, hd, 0, c->o + at, ld_out) == 0;
            if (ok && x->keep_out16) round_rows(c->o + at, ld_out, x->keep_out16 + at, ld_out, rows, hd);
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
    float *buf = malloc(sizeof(float) * (3 * T * hd + 2 * B * T + T + 3 * hd));
    uint16_t *buf16 = malloc(sizeof(uint16_t) * (4 * T * hd + 2 * B * T));
    volt_bf16_stream stream = volt_bf16_stream_create();
    float *dq = buf, *dk = dq + T * hd, *dv = dk + T * hd;
    float *pr = dv + T * hd, *dp = pr + B * T, *delta = dp + B * T, *row = delta + T;
    uint16_t *do16 = buf16 + 3 * T * hd, *ds16 = do16 + T * hd, *dropped16 = ds16 + B * T;
    int ok = buf && buf16 && stream;
    for (size_t bh = begin; ok && bh < end; bh++) {
        size_t b = bh / H, h = bh % H;
        uint16_t *q16 = x->heads ? saved_head(x, bh) : buf16, *k16 = q16 + T * hd, *v16 = k16 + T * hd;
        if (!x->heads) gather_head_bf16(c, bh, row, q16, k16, v16);
        round_rows(c->dout + (b * T * H + h) * hd, ld, do16, hd, T, hd);
        head_delta_bf16(x, bh, delta);
        memset(dk, 0, sizeof(float) * 2 * T * hd);  // dk and dv accumulate over blocks
        for (size_t i0 = 0; ok && i0 < T; i0 += B) {
            size_t rows = i0 + B <= T ? B : T - i0, cols = i0 + rows;
            // dP = dO · Vᵀ, then dS and the dropped probabilities: from the kept probabilities, or from P
            // recomputed (q·kᵀ and exp(S − lse))
            uint16_t *p16 = x->probs ? saved_block(x, bh, i0) : dropped16;
            if (!x->probs) {
                ok = volt_bf16_gemm(stream, 0, 1, rows, cols, hd, q16 + i0 * hd, hd, k16, hd, 0, pr, cols) == 0;
                volt_block_probabilities(c, bh, i0, rows, cols, pr, (float *)c->lse_in + bh * T + i0, 1, NULL);
            }
            ok = ok && volt_bf16_gemm(stream, 0, 1, rows, cols, hd, do16 + i0 * hd, hd, v16, hd, 0, dp, cols) == 0;
            if (x->probs)
                score_gradient_saved_bf16(rows, cols, p16, dp, delta + i0, ds16);
            else
                score_gradient_bf16(d, bh, i0, rows, cols, pr, dp, delta + i0, p16, ds16);
            // dQ' = dS · K, dK += dSᵀ · Q', dV += Pdropᵀ · dO
            ok = ok && volt_bf16_gemm(stream, 0, 0, rows, hd, cols, ds16, cols, k16, hd, 0, dq + i0 * hd, hd) == 0;
            ok = ok && volt_bf16_gemm(stream, 1, 0, cols, hd, rows, ds16, cols, q16 + i0 * hd, hd, 1, dk, hd) == 0;
            ok = ok && volt_bf16_gemm(stream, 1, 0, cols, hd, rows, p16, cols, do16 + i0 * hd, hd, 1, dv, hd) == 0;
        }
        if (ok) scatter_head_bf16(x, bh, dq, dk, dv);
    }
    if (!ok) atomic_store(&x->failed, 1);
    volt_bf16_stream_destroy(stream);
    free(buf);
    free(buf16);
}

int volt_attention_forward_bf16(const volt_attention_desc *desc, const float *qkv, float *out, float *lse,
                                volt_attention_bf16_saved saved, uint16_t *out16) {
    uint16_t *probs = desc->dropout > 0.0f ? NULL : saved.probs;
    attention_bf16_ctx x = {{desc, qkv, NULL, NULL, NULL, out, lse, NULL, NULL, NULL}, NULL, out16, saved.heads,
                            probs, NULL, NULL, 0};
    volt_for_each_head(&x.c, attention_forward_bf16_task, &x);
    return atomic_load(&x.failed) ? -1 : 0;
}

int volt_attention_backward_bf16(const volt_attention_desc *desc, const float *qkv, volt_attention_bf16_saved saved,
                                 const float *out, const uint16_t *out16, const float *lse, const float *dout,
                                 float *dqkv, uint16_t *dqkv16, float *column_sums) {
    if ((!qkv && !saved.heads) || (!out && !out16)) return -1;
    uint16_t *probs = desc->dropout > 0.0f ? NULL : saved.probs;
    size_t width = 3 * desc->head_dim, heads = desc->heads, batch = desc->batch;
    float *head_sums = column_sums ? malloc(sizeof(float) * batch * heads * width) : NULL;
    if (column_sums && !head_sums) return -1;
    attention_bf16_ctx x = {{desc, qkv, out, lse, dout, NULL, NULL, dqkv, NULL, NULL}, out16, NULL, saved.heads,
                            probs, dqkv16, head_sums, 0};
    volt_for_each_head(&x.c, attention_backward_bf16_task, &x);
    // Each column of a head: its sums over positions, added over the batch in order.
    for (size_t h = 0; column_sums && h < heads; h++)
        for (size_t e = 0; e < width; e++) {
            float total = 0.0f;
            for (size_t b = 0; b < batch; b++) total += head_sums[(b * heads + h) * width + e];
            column_sums[h * width + e] = total;
        }
    free(head_sums);
    return atomic_load(&x.failed) ? -1 : 0;
}

void volt_attention_bf16_unpack(const volt_attention_desc *desc, const uint16_t *heads, float *qkv) {
    attention_ctx c = {desc, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    volt_rotary_tables(desc, (float **)&c.cos_table, (float **)&c.sin_table);
    size_t T = desc->seq, H = desc->heads, hd = desc->head_dim;
    float root = sqrtf((float)hd), row[3 * hd];
    for (size_t bh = 0; bh < desc->batch * H; bh++) {
        const uint16_t *q16 = heads + bh * 3 * T * hd, *k16 = q16 + T * hd, *v16 = k16 + T * hd;
        for (size_t t = 0; t < T; t++) {
            for (size_t e = 0; e < hd; e++) {
                row[e] = volt_bf16_to_float(q16[t * hd + e]) * root;
                row[hd + e] = volt_bf16_to_float(k16[t * hd + e]);
                row[2 * hd + e] = volt_bf16_to_float(v16[t * hd + e]);
            }
            volt_rotate(row, &c, t, 1);
            volt_rotate(row + hd, &c, t, 1);
            memcpy(qkv + (((bh / H) * T + t) * H + bh % H) * 3 * hd, row, sizeof row);
        }
    }
    free((float *)c.cos_table);
    free((float *)c.sin_table);
}
