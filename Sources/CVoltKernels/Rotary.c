#include "internal.h"

// Rotary position embedding over whole heads, rotate_half convention (transformers' LLaMA): each head's two
// halves x1, x2 turn by the angle of their frequency. The backward pass is the same rotation by the negated angle,
// so one kernel serves both (`inverse`).

typedef struct { const float *x, *cos, *sin; float *y; size_t seq, heads, half; float sign; } rotary_ctx;

VOLT_MULTIVERSION
static void rotary_task(void *p, size_t begin, size_t end) {
    rotary_ctx *c = p;
    size_t half = c->half, width = 2 * half;
    for (size_t row = begin; row < end; row++) {  // row = (b * seq + t) * heads + h
        size_t t = (row / c->heads) % c->seq;
        const float *x = c->x + row * width, *cs = c->cos + t * half, *sn = c->sin + t * half;
        float *y = c->y + row * width;
        for (size_t i = 0; i < half; i++) {
            float x1 = x[i], x2 = x[i + half], co = cs[i], si = c->sign * sn[i];
            y[i] = x1 * co - x2 * si;
            y[i + half] = x2 * co + x1 * si;
        }
    }
}

void volt_rotary_f32(const float *x, float *y, const float *cos, const float *sin, size_t batch, size_t seq,
                     size_t heads, size_t half, int inverse) {
    rotary_ctx c = {x, cos, sin, y, seq, heads, half, inverse ? -1.0f : 1.0f};
    volt_parallel_for(batch * seq * heads, 4096 / (2 * half ? 2 * half : 1) + 1, rotary_task, &c);
}
