#ifndef VOLT_KERNELS_ATTENTION_H
#define VOLT_KERNELS_ATTENTION_H
// Pieces shared by the float32 (Attention.c) and bfloat16 (AttentionBF16.c) attention kernels.
#include "internal.h"

/// Queries per block in the float32 kernels.
#define VOLT_ATTENTION_BLOCK 64

typedef struct {
    const volt_attention_desc *d;
    const float *qkv, *out, *lse_in, *dout;
    float *o, *lse, *dqkv;
    const float *cos_table, *sin_table;  // [seq, rotary_dims / 2]
} attention_ctx;

/// Element (i, j) of head bh survives dropout.
VOLT_INLINE float volt_attention_keep(const volt_attention_desc *d, size_t bh, size_t i, size_t j) {
    uint64_t counter = d->offset + ((uint64_t)bh * d->seq + i) * d->seq + j;
    uint64_t z = d->seed + (counter + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    float u = (float)(z >> 40) * (1.0f / 16777216.0f);
    return u >= d->dropout ? 1.0f / (1.0f - d->dropout) : 0.0f;
}

/// Probabilities p [rows, cols] of queries i0.. of head bh times their dropout keep mask / (1 − dropout).
VOLT_INLINE void volt_attention_dropout(const volt_attention_desc *d, size_t bh, size_t i0, size_t rows, size_t cols,
                                        float *p) {
    if (d->dropout <= 0.0f) return;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) p[r * cols + j] *= volt_attention_keep(d, bh, i0 + r, j);
}

/// Rotates the leading rotary dims of `x` (one head vector at position t) by +θ, or by −θ when `inverse`.
/// GPT-NeoX pairs dimension f with f + rotary_dims / 2 (rotate_half), angle t · base^(−2f / rotary_dims).
VOLT_INLINE void volt_rotate(float *x, const attention_ctx *c, size_t t, int inverse) {
    size_t half = c->d->rotary_dims / 2;
    const float *cs = c->cos_table + t * half, *sn = c->sin_table + t * half;
    for (size_t f = 0; f < half; f++) {
        float a = x[f], b = x[f + half], s = inverse ? -sn[f] : sn[f];
        x[f] = a * cs[f] - b * s;
        x[f + half] = b * cs[f] + a * s;
    }
}

/// Copies head bh's q (rotated, scaled by 1/√d), k (rotated) and v into contiguous [seq, head_dim] buffers.
VOLT_MULTIVERSION
void volt_gather_head(const attention_ctx *c, size_t bh, float *q, float *k, float *v);
/// Turns scores S[rows, cols] of queries i0.. into probabilities in place: causal and key masks, then either a
/// fresh softmax (saving lse) or exp(S − lse) from a saved lse. With `p16` (a fresh softmax without dropout), the
/// normalised probabilities are written rounded to bfloat16 there instead, [rows, cols], and S keeps e = exp(S − max).
VOLT_MULTIVERSION
void volt_block_probabilities(const attention_ctx *c, size_t bh, size_t i0, size_t rows, size_t cols, float *s,
                              float *lse, int recompute, uint16_t *p16);
/// dS = P ∘ (dP ∘ keep − delta) into dp, and P ← P ∘ keep (the dropped probabilities, for dV), for queries i0..
VOLT_MULTIVERSION
void volt_score_gradient(const volt_attention_desc *d, size_t bh, size_t i0, size_t rows, size_t cols, float *p,
                         float *dp, const float *delta);
/// delta_t = dO_t · O_t for head bh.
VOLT_MULTIVERSION
void volt_head_delta(const attention_ctx *c, size_t bh, float *delta);
/// Writes head bh's gradients into dqkv: dq scaled by 1/√head_dim, dq and dk rotated back.
VOLT_MULTIVERSION
void volt_scatter_head(const attention_ctx *c, size_t bh, float *dq, float *dk, const float *dv);
/// Runs `task(task_ctx, …)` over every (batch, head) index in parallel, with c's rotary tables made for the run.
void volt_for_each_head(attention_ctx *c, volt_range_fn task, void *task_ctx);
/// Rotary cos/sin tables [seq, rotary_dims / 2]; release with free().
void volt_rotary_tables(const volt_attention_desc *d, float **cos_table, float **sin_table);
#endif
