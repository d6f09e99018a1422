#include "internal.h"

// SwiGLU's gating, silu(g) · u, forward and backward side by side: one pass each instead of silu, multiply and
// their two backward passes over [tokens, intermediate] buffers.
// Forward: y = g·σ(g)·u.  Backward: dg = dy·u·σ(g)·(1 + g·(1 − σ(g))), du = dy·g·σ(g). Same roundings as the
// unfused silu and multiply, so results do not change.

typedef struct { const float *g, *u, *dy; float *y, *dg, *du; } swiglu_ctx;

VOLT_MULTIVERSION
static void swiglu_task(void *p, size_t begin, size_t end) {
    swiglu_ctx *c = p;
    const float *g = c->g, *u = c->u;
    float *y = c->y;
    for (size_t i = begin; i < end; i++) {
        float v = g[i];
        y[i] = v / (1.0f + volt_expf(-v)) * u[i];
    }
}

void volt_swiglu_f32(const float *gate, const float *up, float *out, size_t n) {
    swiglu_ctx c = {gate, up, NULL, out, NULL, NULL};
    volt_parallel_for(n, 16384, swiglu_task, &c);
}

VOLT_MULTIVERSION
static void swiglu_backward_task(void *p, size_t begin, size_t end) {
    swiglu_ctx *c = p;
    const float *g = c->g, *u = c->u, *dy = c->dy;
    float *dg = c->dg, *du = c->du;
    for (size_t i = begin; i < end; i++) {
        // The unfused passes' roundings: silu as v / (1 + e⁻ᵛ), its derivative as in volt_silu_grad.
        float v = g[i], q = 1.0f + volt_expf(-v), s = 1.0f / q, d = dy[i];
        dg[i] = d * u[i] * (s * (1.0f + v * (1.0f - s)));
        du[i] = d * (v / q);
    }
}

void volt_swiglu_backward_f32(const float *gate, const float *up, const float *dy, float *dgate, float *dup, size_t n) {
    swiglu_ctx c = {gate, up, dy, NULL, dgate, dup};
    volt_parallel_for(n, 16384, swiglu_backward_task, &c);
}
