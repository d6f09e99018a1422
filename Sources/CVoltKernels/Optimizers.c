#include "internal.h"

typedef struct {
    float *param, *m, *v, *buf;
    const float *grad;
    float lr, beta1, beta2, eps, wd, bc1, bc2, scale, momentum, dampening;
    int decoupled, nesterov, first;
} optim_ctx;

VOLT_MULTIVERSION
static void adam_task(void *p, size_t begin, size_t end) {
    const optim_ctx *c = p;
    float step_size = c->lr / c->bc1, inv_sqrt_bc2 = 1.0f / sqrtf(c->bc2);
    float decay = c->decoupled ? 1.0f - c->lr * c->wd : 1.0f, l2 = c->decoupled ? 0.0f : c->wd;
    // Locals the compiler knows do not overlap, so the loop vectorizes (through the context it would re-read
    // every field after each store).
    float *restrict param = c->param, *restrict mom = c->m, *restrict var = c->v;
    const float *restrict grad = c->grad;
    float scale = c->scale, beta1 = c->beta1, beta2 = c->beta2, eps = c->eps;
    for (size_t i = begin; i < end; i++) {
        float w = param[i] * decay;
        float g = grad[i] * scale + l2 * param[i];
        float m = beta1 * mom[i] + (1.0f - beta1) * g;
        float v = beta2 * var[i] + (1.0f - beta2) * g * g;
        mom[i] = m;
        var[i] = v;
        param[i] = w - step_size * m / (sqrtf(v) * inv_sqrt_bc2 + eps);
    }
}

void volt_adam_step_f32(float *param, const float *grad, float *m, float *v, size_t n, float lr, float beta1,
                        float beta2, float eps, float weight_decay, int decoupled, float bias_correction1,
                        float bias_correction2, float grad_scale) {
    optim_ctx c = {param, m, v, NULL, grad, lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2,
                   grad_scale, 0, 0, decoupled, 0, 0};
    volt_parallel_for(n, 16384, adam_task, &c);
}

VOLT_MULTIVERSION
static void sgd_task(void *p, size_t begin, size_t end) {
    optim_ctx *c = p;
    for (size_t i = begin; i < end; i++) {
        float d = c->grad[i] * c->scale + c->wd * c->param[i];
        if (c->buf) {
            float b = c->first ? d : c->momentum * c->buf[i] + (1.0f - c->dampening) * d;
            c->buf[i] = b;
            d = c->nesterov ? d + c->momentum * b : b;
        }
        c->param[i] -= c->lr * d;
    }
}

void volt_sgd_step_f32(float *param, const float *grad, float *buf, size_t n, float lr, float momentum,
                       float dampening, float weight_decay, int nesterov, int first_step, float grad_scale) {
    optim_ctx c = {param, NULL, NULL, buf, grad, lr, 0, 0, 0, weight_decay, 1, 1, grad_scale, momentum, dampening,
                   0, nesterov, first_step};
    volt_parallel_for(n, 16384, sgd_task, &c);
}

// ---- 8-bit Adam/AdamW (bitsandbytes' blockwise optimizer): each block of `block` elements keeps its moments as
// 8-bit indices into a sorted 256-entry code (signed for m, unsigned for v) times the block's absmax. A step
// dequantizes a block, updates it in float32 (the parameter update reads the float32 moments), then requantizes
// to the nearest code value against the new absmax.

/// Index of the code value nearest to x (codes sorted ascending; ties go to the lower index).
static inline unsigned char nearest_code(const float *code, float x) {
    int lo = 0, hi = 255;
    while (hi - lo > 1) {
        int mid = (lo + hi) >> 1;
        if (code[mid] <= x) lo = mid; else hi = mid;
    }
    return (unsigned char)(x - code[lo] <= code[hi] - x ? lo : hi);
}

void volt_quantize_blockwise(const float *x, unsigned char *q, float *absmax, const float *code, size_t n,
                             size_t block) {
    for (size_t b = 0; b * block < n; b++) {
        size_t begin = b * block, end = begin + block < n ? begin + block : n;
        float amax = 0.0f;
        for (size_t i = begin; i < end; i++) amax = fmaxf(amax, fabsf(x[i]));
        absmax[b] = amax;
        float inv = amax > 0.0f ? 1.0f / amax : 0.0f;
        for (size_t i = begin; i < end; i++) q[i] = nearest_code(code, x[i] * inv);
    }
}

void volt_dequantize_blockwise(const unsigned char *q, const float *absmax, const float *code, float *x, size_t n,
                               size_t block) {
    for (size_t i = 0; i < n; i++) x[i] = code[q[i]] * absmax[i / block];
}

typedef struct {
    float *param;
    const float *grad;
    unsigned char *q1, *q2;
    float *absmax1, *absmax2;
    const float *code1, *code2;
    size_t n, block;
    float lr, beta1, beta2, eps, wd, bc1, bc2, scale;
    int decoupled;
} adam8_ctx;

static void adam8_task(void *p, size_t first_block, size_t end_block) {
    adam8_ctx *c = p;
    float step_size = c->lr / c->bc1, inv_sqrt_bc2 = 1.0f / sqrtf(c->bc2);
    float decay = c->decoupled ? 1.0f - c->lr * c->wd : 1.0f, l2 = c->decoupled ? 0.0f : c->wd;
    float m[VOLT_ADAM8_MAX_BLOCK], v[VOLT_ADAM8_MAX_BLOCK];
    for (size_t b = first_block; b < end_block; b++) {
        size_t begin = b * c->block, end = begin + c->block < c->n ? begin + c->block : c->n, len = end - begin;
        float a1 = c->absmax1[b], a2 = c->absmax2[b], max1 = 0.0f, max2 = 0.0f;
        for (size_t j = 0; j < len; j++) {
            size_t i = begin + j;
            float g = c->grad[i] * c->scale + l2 * c->param[i];
            float mj = c->beta1 * (c->code1[c->q1[i]] * a1) + (1.0f - c->beta1) * g;
            float vj = c->beta2 * (c->code2[c->q2[i]] * a2) + (1.0f - c->beta2) * g * g;
            m[j] = mj;
            v[j] = vj;
            max1 = fmaxf(max1, fabsf(mj));
            max2 = fmaxf(max2, vj);
            c->param[i] = c->param[i] * decay - step_size * mj / (sqrtf(vj) * inv_sqrt_bc2 + c->eps);
        }
        c->absmax1[b] = max1;
        c->absmax2[b] = max2;
        float inv1 = max1 > 0.0f ? 1.0f / max1 : 0.0f, inv2 = max2 > 0.0f ? 1.0f / max2 : 0.0f;
        for (size_t j = 0; j < len; j++) {
            c->q1[begin + j] = nearest_code(c->code1, m[j] * inv1);
            c->q2[begin + j] = nearest_code(c->code2, v[j] * inv2);
        }
    }
}

void volt_adam8bit_step(float *param, const float *grad, unsigned char *q1, unsigned char *q2, float *absmax1,
                        float *absmax2, const float *code1, const float *code2, size_t n, size_t block, float lr,
                        float beta1, float beta2, float eps, float weight_decay, int decoupled,
                        float bias_correction1, float bias_correction2, float grad_scale) {
    adam8_ctx c = {param, grad, q1, q2, absmax1, absmax2, code1, code2, n, block, lr, beta1, beta2, eps,
                   weight_decay, bias_correction1, bias_correction2, grad_scale, decoupled};
    volt_parallel_for((n + block - 1) / block, 1, adam8_task, &c);
}
