#include <oneapi/dnnl/dnnl.h>
#include <stdlib.h>
#include "attention.h"

// The products use oneDNN's row-major sgemm: JIT-compiled for the running CPU (AVX-512 where present, unlike
// OpenBLAS under OPENBLAS_CORETYPE=Haswell) and single-threaded when called inside a parallel region, as here.
enum { VOLT_ROW_MAJOR = 101, VOLT_NO_TRANS = 111, VOLT_TRANS = 112 };

/// C = alpha·op(A)·op(B) + beta·C, row-major (CBLAS-style arguments).
static void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                        const float *b, int ldb, float beta, float *c, int ldc) {
    (void)order;
    dnnl_sgemm(trans_a == VOLT_TRANS ? 'T' : 'N', trans_b == VOLT_TRANS ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb,
               beta, c, ldc);
}

/// Copies head bh's q (rotated, scaled by 1/√d), k (rotated) and v into contiguous [seq, head_dim] buffers.
VOLT_MULTIVERSION
void volt_gather_head(const attention_ctx *c, size_t bh, float *q, float *k, float *v) {
    const volt_attention_desc *d = c->d;
    size_t b = bh / d->heads, h = bh % d->heads, hd = d->head_dim;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t t = 0; t < d->seq; t++) {
        const float *src = c->qkv + ((b * d->seq + t) * d->heads + h) * 3 * hd;
        memcpy(q + t * hd, src, hd * sizeof(float));
        memcpy(k + t * hd, src + hd, hd * sizeof(float));
        memcpy(v + t * hd, src + 2 * hd, hd * sizeof(float));
        volt_rotate(q + t * hd, c, t, 0);
        volt_rotate(k + t * hd, c, t, 0);
        for (size_t e = 0; e < hd; e++) q[t * hd + e] *= scale;
    }
}

/// Turns scores S[rows, cols] of queries i0.. into probabilities in place: causal and key masks, then either a
/// fresh softmax (saving lse) or exp(S − lse) from a saved lse.
VOLT_MULTIVERSION
void volt_block_probabilities(const attention_ctx *c, size_t bh, size_t i0, size_t rows, size_t cols, float *s,
                                     float *lse, int recompute, uint16_t *p16) {
    VOLT_REASSOCIATE
    const volt_attention_desc *d = c->d;
    const float *mask = d->key_mask ? d->key_mask + (bh / d->heads) * d->seq : NULL;
    for (size_t r = 0; r < rows; r++) {
        float *row = s + r * cols;
        size_t visible = i0 + r + 1;  // keys after the query: probability 0, no exp
        memset(row + visible, 0, (cols - visible) * sizeof(float));
        if (p16) memset(p16 + r * cols + visible, 0, (cols - visible) * sizeof(uint16_t));
        if (mask)
            for (size_t j = 0; j < visible; j++) row[j] = mask[j] != 0.0f ? row[j] : -INFINITY;
        if (recompute) {
            float l = lse[r];
            for (size_t j = 0; j < visible; j++) row[j] = volt_expf(row[j] - l);
            continue;
        }
        // One exp per score: e = exp(s − max), then p = e / Σe; lse = max + log Σe for the backward pass.
        float m = volt_row_max(row, visible);
        if (m == -INFINITY) {  // no visible key: every probability is 0
            lse[r] = INFINITY;
            memset(row, 0, visible * sizeof(float));
            if (p16) memset(p16 + r * cols, 0, visible * sizeof(uint16_t));
            continue;
        }
        float sum = 0.0f;
        for (size_t j = 0; j < visible; j++) {
            float e = volt_expf(row[j] - m);
            row[j] = e;
            sum += e;
        }
        lse[r] = m + volt_logf(sum);
        float inverse = 1.0f / sum;
        if (p16) {  // the probabilities only as the next product's bfloat16 input
            for (size_t j = 0; j < visible; j++) p16[r * cols + j] = volt_float_to_bf16(row[j] * inverse);
        } else {
            for (size_t j = 0; j < visible; j++) row[j] *= inverse;
        }
    }
}

VOLT_MULTIVERSION
static void attention_forward_task(void *p, size_t begin, size_t end) {
    attention_ctx *c = p;
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, ld_out = d->heads * hd, B = VOLT_ATTENTION_BLOCK;
    float *buf = malloc(sizeof(float) * (3 * T * hd + B * T));
    float *q = buf, *k = q + T * hd, *v = k + T * hd, *s = v + T * hd;
    for (size_t bh = begin; bh < end; bh++) {
        volt_gather_head(c, bh, q, k, v);
        size_t b = bh / d->heads, h = bh % d->heads;
        for (size_t i0 = 0; i0 < T; i0 += B) {
            size_t rows = i0 + B <= T ? B : T - i0, cols = i0 + rows;
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_TRANS, (int)rows, (int)cols, (int)hd, 1.0f, q + i0 * hd,
                        (int)hd, k, (int)hd, 0.0f, s, (int)cols);
            volt_block_probabilities(c, bh, i0, rows, cols, s, c->lse + bh * T + i0, 0, NULL);
            volt_attention_dropout(d, bh, i0, rows, cols, s);
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_NO_TRANS, (int)rows, (int)hd, (int)cols, 1.0f, s, (int)cols,
                        v, (int)hd, 0.0f, c->o + ((b * T + i0) * d->heads + h) * hd, (int)ld_out);
        }
    }
    free(buf);
}

void volt_rotary_tables(const volt_attention_desc *d, float **cos_table, float **sin_table) {
    size_t half = d->rotary_dims / 2;
    *cos_table = malloc(sizeof(float) * (d->seq * half + 1));
    *sin_table = malloc(sizeof(float) * (d->seq * half + 1));
    for (size_t f = 0; f < half; f++) {
        // As transformers computes it: inv_freq in float32, then t · inv_freq in float32.
        float inv_freq = 1.0f / powf(d->rotary_base, (float)(2 * f) / (float)d->rotary_dims);
        for (size_t t = 0; t < d->seq; t++) {
            float angle = (float)t * inv_freq;
            (*cos_table)[t * half + f] = cosf(angle);
            (*sin_table)[t * half + f] = sinf(angle);
        }
    }
}

void volt_attention_forward_f32(const volt_attention_desc *desc, const float *qkv, float *out, float *lse) {
    attention_ctx c = {desc, qkv, NULL, NULL, NULL, out, lse, NULL, NULL, NULL};
    volt_for_each_head(&c, attention_forward_task, &c);
}

/// One cached-attention run: the new tokens' qkv, the cache they join, and where their outputs go.
typedef struct {
    const attention_ctx *c;  // c->d->seq counts every position up to the last new token (the rotary tables')
    size_t position, count, capacity;
    const float *qkv;
    float *keys, *values, *out;
} cached_attention_ctx;

VOLT_MULTIVERSION
static void cached_attention_task(void *p, size_t begin, size_t end) {
    const cached_attention_ctx *x = p;
    const volt_attention_desc *d = x->c->d;
    size_t hd = d->head_dim, H = d->heads, T = x->count, total = x->position + T;
    float scale = 1.0f / sqrtf((float)hd);
    float *buf = malloc(sizeof(float) * (T * hd + T * total + T));
    float *q = buf, *s = q + T * hd, *lse = s + T * total;
    for (size_t h = begin; h < end; h++) {
        float *keys = x->keys + h * x->capacity * hd, *values = x->values + h * x->capacity * hd;
        for (size_t t = 0; t < T; t++) {
            size_t at = x->position + t;
            const float *src = x->qkv + (t * H + h) * 3 * hd;
            memcpy(q + t * hd, src, hd * sizeof(float));
            memcpy(keys + at * hd, src + hd, hd * sizeof(float));
            memcpy(values + at * hd, src + 2 * hd, hd * sizeof(float));
            volt_rotate(q + t * hd, x->c, at, 0);
            volt_rotate(keys + at * hd, x->c, at, 0);
            for (size_t e = 0; e < hd; e++) q[t * hd + e] *= scale;
        }
        cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_TRANS, (int)T, (int)total, (int)hd, 1.0f, q, (int)hd, keys,
                    (int)hd, 0.0f, s, (int)total);
        volt_block_probabilities(x->c, h, x->position, T, total, s, lse, 0, NULL);
        cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_NO_TRANS, (int)T, (int)hd, (int)total, 1.0f, s, (int)total,
                    values, (int)hd, 0.0f, x->out + h * hd, (int)(H * hd));
    }
    free(buf);
}

void volt_attention_cached_f32(const volt_attention_desc *desc, size_t position, const float *qkv, float *keys,
                               float *values, size_t capacity, float *out) {
    volt_attention_desc all = *desc;
    all.batch = 1;
    all.seq = position + desc->seq;
    all.key_mask = NULL;
    all.dropout = 0.0f;
    attention_ctx c = {&all, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    float *cs, *sn;
    volt_rotary_tables(&all, &cs, &sn);
    c.cos_table = cs;
    c.sin_table = sn;
    cached_attention_ctx x = {&c, position, desc->seq, capacity, qkv, keys, values, out};
    volt_parallel_for(desc->heads, 1, cached_attention_task, &x);
    free(cs);
    free(sn);
}

void volt_for_each_head(attention_ctx *c, volt_range_fn task, void *task_ctx) {
    float *cs, *sn;
    volt_rotary_tables(c->d, &cs, &sn);
    c->cos_table = cs;
    c->sin_table = sn;
    volt_parallel_for(c->d->batch * c->d->heads, 1, task, task_ctx);
    c->cos_table = c->sin_table = NULL;
    free(cs);
    free(sn);
}

VOLT_MULTIVERSION
static void attention_backward_task(void *p, size_t begin, size_t end) {
    attention_ctx *c = p;
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, H = d->heads, ld = H * hd, B = VOLT_ATTENTION_BLOCK;
    float *buf = malloc(sizeof(float) * (6 * T * hd + 2 * B * T + T));
    float *q = buf, *k = q + T * hd, *v = k + T * hd, *dq = v + T * hd, *dk = dq + T * hd, *dv = dk + T * hd;
    float *pr = dv + T * hd, *dp = pr + B * T, *delta = dp + B * T;
    for (size_t bh = begin; bh < end; bh++) {
        size_t b = bh / H, h = bh % H;
        volt_gather_head(c, bh, q, k, v);
        memset(dq, 0, sizeof(float) * 3 * T * hd);
        const float *dout = c->dout + (b * T * H + h) * hd;
        volt_head_delta(c, bh, delta);
        for (size_t i0 = 0; i0 < T; i0 += B) {
            size_t rows = i0 + B <= T ? B : T - i0, cols = i0 + rows;
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_TRANS, (int)rows, (int)cols, (int)hd, 1.0f, q + i0 * hd,
                        (int)hd, k, (int)hd, 0.0f, pr, (int)cols);
            volt_block_probabilities(c, bh, i0, rows, cols, pr, (float *)c->lse_in + bh * T + i0, 1, NULL);
            // dP = dO · Vᵀ
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_TRANS, (int)rows, (int)cols, (int)hd, 1.0f,
                        dout + i0 * ld, (int)ld, v, (int)hd, 0.0f, dp, (int)cols);
            volt_score_gradient(d, bh, i0, rows, cols, pr, dp, delta + i0);
            // dQ' = dS · K, dK += dSᵀ · Q', dV += Pdropᵀ · dO
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_NO_TRANS, VOLT_NO_TRANS, (int)rows, (int)hd, (int)cols, 1.0f, dp,
                        (int)cols, k, (int)hd, 0.0f, dq + i0 * hd, (int)hd);
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_TRANS, VOLT_NO_TRANS, (int)cols, (int)hd, (int)rows, 1.0f, dp, (int)cols,
                        q + i0 * hd, (int)hd, 1.0f, dk, (int)hd);
            cblas_sgemm(VOLT_ROW_MAJOR, VOLT_TRANS, VOLT_NO_TRANS, (int)cols, (int)hd, (int)rows, 1.0f, pr, (int)cols,
                        dout + i0 * ld, (int)ld, 1.0f, dv, (int)hd);
        }
        volt_scatter_head(c, bh, dq, dk, dv);
    }
    free(buf);
}

VOLT_MULTIVERSION
void volt_score_gradient(const volt_attention_desc *d, size_t bh, size_t i0, size_t rows, size_t cols, float *p,
                         float *dp, const float *delta) {
    for (size_t r = 0; r < rows; r++) {
        float *prow = p + r * cols, *dprow = dp + r * cols;
        float di = delta[r];
        if (d->dropout > 0.0f) {
            for (size_t j = 0; j < cols; j++) {
                float keep = volt_attention_keep(d, bh, i0 + r, j), pij = prow[j];
                dprow[j] = pij * (dprow[j] * keep - di);  // dS
                prow[j] = pij * keep;                      // the dropped probabilities, for dV
            }
        } else {
            for (size_t j = 0; j < cols; j++) dprow[j] = prow[j] * (dprow[j] - di);
        }
    }
}

VOLT_MULTIVERSION
void volt_head_delta(const attention_ctx *c, size_t bh, float *delta) {
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, H = d->heads, ld = H * hd, b = bh / H, h = bh % H;
    const float *dout = c->dout + (b * T * H + h) * hd, *o = c->out + (b * T * H + h) * hd;
    for (size_t t = 0; t < T; t++) {
        float acc = 0.0f;
        for (size_t e = 0; e < hd; e++) acc += dout[t * ld + e] * o[t * ld + e];
        delta[t] = acc;
    }
}

VOLT_MULTIVERSION
void volt_scatter_head(const attention_ctx *c, size_t bh, float *dq, float *dk, const float *dv) {
    const volt_attention_desc *d = c->d;
    size_t T = d->seq, hd = d->head_dim, H = d->heads, b = bh / H, h = bh % H;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t t = 0; t < T; t++) {
        float *dst = c->dqkv + ((b * T + t) * H + h) * 3 * hd;
        for (size_t e = 0; e < hd; e++) dq[t * hd + e] *= scale;
        volt_rotate(dq + t * hd, c, t, 1);
        volt_rotate(dk + t * hd, c, t, 1);
        memcpy(dst, dq + t * hd, hd * sizeof(float));
        memcpy(dst + hd, dk + t * hd, hd * sizeof(float));
        memcpy(dst + 2 * hd, dv + t * hd, hd * sizeof(float));
    }
}

void volt_attention_backward_f32(const volt_attention_desc *desc, const float *qkv, const float *out,
                                 const float *lse, const float *dout, float *dqkv) {
    attention_ctx c = {desc, qkv, out, lse, dout, NULL, NULL, dqkv, NULL, NULL};
    volt_for_each_head(&c, attention_backward_task, &c);
}
