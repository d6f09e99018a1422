#ifndef VOLT_KERNELS_H
#define VOLT_KERNELS_H
// Volt's CPU kernels: flat, contiguous float32 loops compiled once per x86-64 ISA level (baseline, v3 = AVX2+FMA+F16C,
// v4 = AVX-512) and chosen at run time, threaded on libgomp's pool so they share threads with OpenBLAS and oneDNN.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Threading (libgomp, the pool OpenBLAS's OpenMP build and oneDNN use)
/// Threads that a parallel kernel uses (omp_get_max_threads).
int volt_max_threads(void);
/// Sets the number of threads of the shared OpenMP pool.
void volt_set_threads(int n);

// MARK: Elementwise
typedef enum {
    VOLT_ADD = 0, VOLT_SUB = 1, VOLT_MUL = 2, VOLT_DIV = 3, VOLT_POW = 4, VOLT_MAXIMUM = 5
} volt_binary_op;

/// How the operands of a binary kernel broadcast.
typedef enum {
    VOLT_BCAST_NONE = 0,      // a[n], b[n]
    VOLT_BCAST_A_SCALAR = 1,  // a[1], b[n]
    VOLT_BCAST_B_SCALAR = 2,  // a[n], b[1]
} volt_bcast_mode;

/// out[i] = a[i] op b[i] over n elements (with a or b a scalar per `mode`). `out` may alias a or b.
void volt_binary_f32(volt_binary_op op, const float *a, const float *b, float *out, size_t n, volt_bcast_mode mode);
/// out[r, c] = a[r, c] op b[c] when `b_is_row`, else a[r, c] op b[r].
void volt_binary_rows_f32(volt_binary_op op, const float *a, const float *b, float *out,
                          size_t rows, size_t cols, int b_is_row);

typedef enum {
    VOLT_NEG = 0, VOLT_EXP = 1, VOLT_LOG = 2, VOLT_SQRT = 3, VOLT_TANH = 4, VOLT_GELU_ERF = 5, VOLT_GELU_TANH = 6,
    VOLT_POW_SCALAR = 7, VOLT_AFFINE = 8, VOLT_SIGMOID = 9, VOLT_RELU = 10, VOLT_ABS = 11,
    VOLT_SILU = 12
} volt_unary_op;

/// out[i] = f(x[i]); VOLT_POW_SCALAR uses x^alpha, VOLT_AFFINE alpha*x + beta.
void volt_unary_f32(volt_unary_op op, const float *x, float *out, size_t n, float alpha, float beta);
/// dx[i] = dy[i] * f'(x[i]); `y` is the forward output (used by exp, sqrt, tanh, sigmoid).
void volt_unary_backward_f32(volt_unary_op op, const float *x, const float *y, const float *dy, float *dx,
                             size_t n, float alpha);
/// volt_unary_f32, also writing bfloat16 (round to nearest even) copies of the input to `x16` and of the output to
/// `out16` where those are not NULL, in the same pass. With `out` NULL the output is written to `out16` only.
void volt_unary_round_f32(volt_unary_op op, const float *x, float *out, uint16_t *x16, uint16_t *out16, size_t n,
                          float alpha, float beta);
/// volt_unary_backward_f32 with the saved input `x16` or output `y16` in bfloat16 (the other NULL); also writes dx
/// rounded to bfloat16 into `dx16` unless it is NULL, and, unless `column_sums` is NULL, the sums of dx's columns
/// (dx read as rows of `cols`: a bias gradient) in the same pass, in an order that does not depend on the threads.
void volt_unary_backward_bf16_saved(volt_unary_op op, const uint16_t *x16, const uint16_t *y16, const float *dy,
                                    float *dx, uint16_t *dx16, size_t n, float alpha, size_t cols,
                                    float *column_sums);
/// out[i] = mask[i] != 0 ? value : x[i].
void volt_masked_fill_f32(const float *x, const float *mask, float *out, size_t n, float value);
/// out[i] = value.
void volt_fill_f32(float *out, size_t n, float value);
/// Fused multiply-add over buffers: y[i] = alpha * x[i] + beta * y[i].
void volt_axpby_f32(float alpha, const float *x, float beta, float *y, size_t n);
/// 1 when every element is finite, else 0.
int volt_all_finite_f32(const float *x, size_t n);

// MARK: Reductions over a [outer, n, inner] view
/// out[o, i] = sum_j x[o, j, i].
void volt_reduce_sum_f32(const float *x, float *out, size_t outer, size_t n, size_t inner);
/// out[o, i] = max_j x[o, j, i]; index[o, i] = first j reaching it (NaN wins).
void volt_reduce_max_f32(const float *x, float *out, int32_t *index, size_t outer, size_t n, size_t inner);
/// Scatter of a max's gradient: dx[o, index[o, i], i] = dy[o, i], zero elsewhere.
void volt_reduce_max_backward_f32(const float *dy, const int32_t *index, float *dx, size_t outer, size_t n, size_t inner);
/// Sum of squares of all elements, accumulated in double.
double volt_sum_squares_f32(const float *x, size_t n);

// MARK: Softmax and layer normalization over the last axis of [rows, cols]
void volt_softmax_f32(const float *x, float *y, size_t rows, size_t cols, int log);
void volt_softmax_backward_f32(const float *y, const float *dy, float *dx, size_t rows, size_t cols, int log);
/// y = (x - mean) * rstd * gamma + beta per row; saves mean and rstd (one per row) for the backward pass.
void volt_layernorm_f32(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *rstd,
                        size_t rows, size_t cols, float eps);
/// dx, and dgamma/dbeta accumulated (+=) over rows; dgamma/dbeta may be NULL.
void volt_layernorm_backward_f32(const float *x, const float *gamma, const float *mean, const float *rstd,
                                 const float *dy, float *dx, float *dgamma, float *dbeta, size_t rows, size_t cols);
/// volt_layernorm_f32 that also writes x and y rounded to bfloat16 into x16 and y16 (each may be NULL) in the same
/// pass: the copy of x a bfloat16 backward pass keeps, and y as the next bfloat16 product's input.
void volt_layernorm_rounding_f32(const float *x, const float *gamma, const float *beta, float *y, float *mean,
                                 float *rstd, uint16_t *x16, uint16_t *y16, size_t rows, size_t cols, float eps);
/// volt_layernorm_backward_f32 reading x as float32, or — where x is NULL — as its bfloat16 copy x16.
void volt_layernorm_backward_saved(const float *x, const uint16_t *x16, const float *gamma, const float *mean,
                                   const float *rstd, const float *dy, float *dx, float *dgamma, float *dbeta,
                                   size_t rows, size_t cols);

/// RMS normalization (T5, LLaMA): y = gamma * (x * rstd) per row with rstd = 1 / sqrt(mean(x²) + eps); saves rstd.
void volt_rmsnorm_f32(const float *x, const float *gamma, float *y, float *rstd, size_t rows, size_t cols, float eps);
/// dx, and dgamma accumulated (+=) over rows; gamma and dgamma may be NULL.
void volt_rmsnorm_backward_f32(const float *x, const float *gamma, const float *rstd, const float *dy, float *dx,
                               float *dgamma, size_t rows, size_t cols);

// MARK: Rotary position embedding over whole heads (LLaMA's rotate_half convention)
/// x and y are [batch, seq, heads, 2 * half] (y may be x); cos and sin are [seq, half], one angle per position and
/// frequency. y1 = x1 cos - x2 sin, y2 = x2 cos + x1 sin for the two halves x1, x2 of each head; `inverse` rotates
/// by the negated angles (the backward pass).
void volt_rotary_f32(const float *x, float *y, const float *cos, const float *sin, size_t batch, size_t seq,
                     size_t heads, size_t half, int inverse);

// MARK: Cross-entropy from logits [rows, cols] and int32 targets
/// loss[r] = logsumexp(x[r]) - x[r, t[r]] (0 where t[r] == ignore_index); lse[r] saved for backward.
/// Returns -1 on success or the first row whose target is out of range.
int64_t volt_cross_entropy_f32(const float *logits, const int32_t *targets, float *loss, float *lse,
                               size_t rows, size_t cols, int32_t ignore_index);
/// dlogits[r] = scale * (softmax(x[r]) - onehot(t[r])), zero rows where t[r] == ignore_index.
void volt_cross_entropy_backward_f32(const float *logits, const int32_t *targets, const float *lse, float scale,
                                     float *dlogits, size_t rows, size_t cols, int32_t ignore_index);

// MARK: Embedding
/// out[i] = weight[ids[i]]; returns -1 or the first position whose id is outside [0, vocab).
int64_t volt_embedding_f32(const float *weight, const int32_t *ids, float *out, size_t n, size_t dim, size_t vocab);
/// dweight[ids[i]] += dy[i] (deterministic: threads own column ranges).
void volt_embedding_backward_f32(const float *dy, const int32_t *ids, float *dweight, size_t n, size_t dim);

// MARK: Conversion between float32 and half-precision storage (round to nearest even)
void volt_f32_to_f16(const float *x, uint16_t *out, size_t n);
void volt_f16_to_f32(const uint16_t *x, float *out, size_t n);
void volt_f32_to_bf16(const float *x, uint16_t *out, size_t n);
void volt_bf16_to_f32(const uint16_t *x, float *out, size_t n);

// MARK: Random numbers (counter-based: element i of a stream depends only on seed and offset + i)
void volt_fill_uniform_f32(float *out, size_t n, uint64_t seed, uint64_t offset, float low, float high);
void volt_fill_normal_f32(float *out, size_t n, uint64_t seed, uint64_t offset, float mean, float std);
/// y[i] = keep(i) ? x[i] / (1 - p) : 0 with keep(i) = uniform(seed, offset + i) >= p; its own backward.
void volt_dropout_f32(const float *x, float *y, size_t n, float p, uint64_t seed, uint64_t offset);

// MARK: Copies
/// Gathers a strided view (element size 1, 2, 4 or 8 bytes; strides in elements) into contiguous dst.
void volt_strided_copy(const void *src, void *dst, int ndim, const int64_t *shape, const int64_t *strides,
                       size_t elem_size);
/// Copies `rows` rows of `row_bytes` bytes between buffers with the given row pitches (bytes).
void volt_copy_2d(const void *src, size_t src_pitch, void *dst, size_t dst_pitch, size_t rows, size_t row_bytes);

// MARK: Causal self-attention (GPT-NeoX layout, rotary embedding fused)
/// Attention geometry: qkv is [batch, seq, heads, 3 * head_dim] (per head: q, k, v), as GPT-NeoX's fused
/// projection lays it out; the output is [batch, seq, heads, head_dim].
typedef struct {
    size_t batch, seq, heads, head_dim;
    size_t rotary_dims;        // leading dims of each head that get the rotary embedding (even)
    float rotary_base;         // 10000 in GPT-NeoX
    const float *key_mask;     // [batch, seq], 0 = padding key to ignore; NULL = none
    float dropout;             // probability of dropping an attention weight (0 = off)
    uint64_t seed, offset;     // counter-based dropout stream: element ((b*heads+h)*seq+i)*seq+j
} volt_attention_desc;

/// Forward pass, blockwise: no [seq, seq] matrix outlives a block of queries. Saves lse [batch, heads, seq].
void volt_attention_forward_f32(const volt_attention_desc *desc, const float *qkv, float *out, float *lse);
/// Backward pass: recomputes each block's probabilities from lse and writes dqkv (same layout as qkv).
void volt_attention_backward_f32(const volt_attention_desc *desc, const float *qkv, const float *out,
                                 const float *lse, const float *dout, float *dqkv);
/// Attention of desc->seq new tokens of one sequence, at positions position ..< position + desc->seq, over a
/// key/value cache: their rotated keys and their values are written into keys/values [heads, capacity, head_dim]
/// at those positions, then each query attends to every cached position up to its own. qkv is [seq, heads,
/// 3 * head_dim]; out is [seq, heads, head_dim]. desc->batch, key_mask and dropout are ignored (1, none, 0).
void volt_attention_cached_f32(const volt_attention_desc *desc, size_t position, const float *qkv, float *keys,
                               float *values, size_t capacity, float *out);
/// What the bfloat16 forward pass keeps for its backward pass (either pointer may be NULL: not kept).
typedef struct {
    /// [batch · heads, 3, seq, head_dim] bfloat16: each head's q (rotated, scaled by 1/√head_dim), k (rotated) and
    /// v, as the products read them. Kept, the backward pass needs neither qkv nor a gather pass.
    uint16_t *heads;
    /// volt_attention_bf16_probs_count(desc) bfloat16 values: each block of queries' probabilities. Kept, the
    /// backward pass repeats neither the q·kᵀ products nor the exponentials. Ignored with dropout.
    uint16_t *probs;
} volt_attention_bf16_saved;
/// The number of probabilities volt_attention_bf16_saved.probs holds for desc: about batch · heads · seq² / 2.
size_t volt_attention_bf16_probs_count(const volt_attention_desc *desc);
/// The same passes with bfloat16 products (oneDNN's AVX512_BF16 matmul): equal to the float32 kernels up to
/// bfloat16 rounding of each product's inputs. Return 0, or -1 when oneDNN cannot run bfloat16 products here
/// (the outputs are then incomplete: use the float32 kernels).
/// The forward pass also writes what `saved` points to, and out rounded to bfloat16 into out16 when not NULL (the
/// copy a backward pass keeps and the next product reads, made in the same pass).
int volt_attention_forward_bf16(const volt_attention_desc *desc, const float *qkv, float *out, float *lse,
                                volt_attention_bf16_saved saved, uint16_t *out16);
/// The backward pass reads `saved` where the forward pass kept it (else float32 qkv), and out in float32 or — where
/// that is NULL — its bfloat16 copy out16. It also writes, when not NULL: dqkv rounded to bfloat16 into dqkv16, and
/// the sums of dqkv's columns over batch and positions ([heads · 3 · head_dim], the projection's bias gradient) into
/// column_sums.
int volt_attention_backward_bf16(const volt_attention_desc *desc, const float *qkv, volt_attention_bf16_saved saved,
                                 const float *out, const uint16_t *out16, const float *lse, const float *dout,
                                 float *dqkv, uint16_t *dqkv16, float *column_sums);
/// Rebuilds float32 qkv [batch, seq, heads, 3 · head_dim] from kept heads (undoing the rotation and scaling), for a
/// float32 backward pass when a bfloat16 one cannot run; equal to the original up to bfloat16 rounding.
void volt_attention_bf16_unpack(const volt_attention_desc *desc, const uint16_t *heads, float *qkv);

// MARK: Optimizer updates over flat float32 buffers (PyTorch's formulas)
/// Adam / AdamW: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr/bc₁ · m / (√v/√bc₂ + eps), with g = grad·grad_scale.
/// Weight decay is decoupled (p ← p(1 − lr·wd) first, AdamW) when `decoupled`, else added to g (Adam's L2).
void volt_adam_step_f32(float *param, const float *grad, float *m, float *v, size_t n, float lr, float beta1,
                        float beta2, float eps, float weight_decay, int decoupled, float bias_correction1,
                        float bias_correction2, float grad_scale);
/// SGD with momentum: d = g + wd·p; buf ← μ·buf + (1−dampening)·d (buf ← d on the first step); d ← d + μ·buf
/// (nesterov) or buf; p ← p − lr·d. `buf` may be NULL when momentum is 0.
void volt_sgd_step_f32(float *param, const float *grad, float *buf, size_t n, float lr, float momentum,
                       float dampening, float weight_decay, int nesterov, int first_step, float grad_scale);

/// The largest block the 8-bit optimizer kernel takes (bitsandbytes uses 2048).
#define VOLT_ADAM8_MAX_BLOCK 4096
/// Block-wise 8-bit quantization: per block of `block` elements, absmax[b] = max |x|, and q[i] the index of the
/// `code` value (256 entries, sorted ascending) nearest to x[i] / absmax[b].
void volt_quantize_blockwise(const float *x, unsigned char *q, float *absmax, const float *code, size_t n,
                             size_t block);
/// The inverse: x[i] = code[q[i]] · absmax[i / block].
void volt_dequantize_blockwise(const unsigned char *q, const float *absmax, const float *code, float *x, size_t n,
                               size_t block);
/// 8-bit Adam / AdamW (bitsandbytes' blockwise optimizer): per block, m and v are dequantized (code1 signed for m,
/// code2 unsigned for v, times the block's absmax), updated and used as in ``volt_adam_step_f32`` in float32, then
/// requantized against the block's new absmax. `block` ≤ VOLT_ADAM8_MAX_BLOCK.
void volt_adam8bit_step(float *param, const float *grad, unsigned char *q1, unsigned char *q2, float *absmax1,
                        float *absmax2, const float *code1, const float *code2, size_t n, size_t block, float lr,
                        float beta1, float beta2, float eps, float weight_decay, int decoupled,
                        float bias_correction1, float bias_correction2, float grad_scale);

/// SwiGLU gating: out = silu(gate) · up over n values (SwiGLU.c).
void volt_swiglu_f32(const float *gate, const float *up, float *out, size_t n);
/// Its backward pass: dgate and dup from dy.
void volt_swiglu_backward_f32(const float *gate, const float *up, const float *dy, float *dgate, float *dup, size_t n);

#ifdef __cplusplus
}
#endif
#endif
