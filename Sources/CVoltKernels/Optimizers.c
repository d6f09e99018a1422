#include "internal.h"

typedef struct {
    float *param, *m, *v, *buf;
    const float *grad;
    float lr, beta1, beta2, eps, wd, bc1, bc2, scale, momentum, dampening;
    int decoupled, nesterov, first;
} optim_ctx;

VOLT_MULTIVERSION
static void adam_task(void *p, size_t begin, size_t end) {
    optim_ctx *c = p;
    float step_size = c->lr / c->bc1, inv_sqrt_bc2 = 1.0f / sqrtf(c->bc2);
    float decay = c->decoupled ? 1.0f - c->lr * c->wd : 1.0f, l2 = c->decoupled ? 0.0f : c->wd;
    for (size_t i = begin; i < end; i++) {
        float w = c->param[i] * decay;
        float g = c->grad[i] * c->scale + l2 * c->param[i];
        float m = c->beta1 * c->m[i] + (1.0f - c->beta1) * g;
        float v = c->beta2 * c->v[i] + (1.0f - c->beta2) * g * g;
        c->m[i] = m;
        c->v[i] = v;
        c->param[i] = w - step_size * m / (sqrtf(v) * inv_sqrt_bc2 + c->eps);
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
