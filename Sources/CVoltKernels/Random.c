#include "internal.h"

// SplitMix64 of (seed, counter): a counter-based generator, so element i of a stream is the same whichever
// thread computes it and however the range is split.
VOLT_INLINE uint64_t volt_mix(uint64_t seed, uint64_t counter) {
    uint64_t z = seed + (counter + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Uniform in [0, 1) with 24 random bits.
VOLT_INLINE float volt_uniform(uint64_t seed, uint64_t counter) {
    return (float)(volt_mix(seed, counter) >> 40) * (1.0f / 16777216.0f);
}

typedef struct { const float *x; float *out; uint64_t seed, offset; float a, b; } random_ctx;

VOLT_MULTIVERSION
static void uniform_task(void *p, size_t begin, size_t end) {
    random_ctx *c = p;
    for (size_t i = begin; i < end; i++) c->out[i] = c->a + (c->b - c->a) * volt_uniform(c->seed, c->offset + i);
}

void volt_fill_uniform_f32(float *out, size_t n, uint64_t seed, uint64_t offset, float low, float high) {
    random_ctx c = {NULL, out, seed, offset, low, high};
    volt_parallel_for(n, 16384, uniform_task, &c);
}

static void normal_task(void *p, size_t begin, size_t end) {
    random_ctx *c = p;
    for (size_t i = begin; i < end; i++) {
        // Box–Muller on two draws from the element's own counter pair.
        uint64_t k = 2 * (c->offset + i);
        float u1 = 1.0f - volt_uniform(c->seed, k);  // (0, 1]
        float u2 = volt_uniform(c->seed, k + 1);
        float r = sqrtf(-2.0f * logf(u1));
        c->out[i] = c->a + c->b * r * cosf(6.283185307179586f * u2);
    }
}

void volt_fill_normal_f32(float *out, size_t n, uint64_t seed, uint64_t offset, float mean, float std) {
    random_ctx c = {NULL, out, seed, offset, mean, std};
    volt_parallel_for(n, 8192, normal_task, &c);
}

VOLT_MULTIVERSION
static void dropout_task(void *p, size_t begin, size_t end) {
    random_ctx *c = p;
    float keep_scale = 1.0f / (1.0f - c->a);
    for (size_t i = begin; i < end; i++)
        c->out[i] = volt_uniform(c->seed, c->offset + i) >= c->a ? c->x[i] * keep_scale : 0.0f;
}

void volt_dropout_f32(const float *x, float *y, size_t n, float p, uint64_t seed, uint64_t offset) {
    random_ctx c = {x, y, seed, offset, p, 0.0f};
    volt_parallel_for(n, 16384, dropout_task, &c);
}
