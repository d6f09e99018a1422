#include "internal.h"

typedef struct { const void *src; void *dst; } convert_ctx;

VOLT_MULTIVERSION
static void f32_to_f16_task(void *p, size_t begin, size_t end) {
    convert_ctx *c = p;
    const float *x = c->src;
    _Float16 *y = c->dst;
    for (size_t i = begin; i < end; i++) y[i] = (_Float16)x[i];
}

VOLT_MULTIVERSION
static void f16_to_f32_task(void *p, size_t begin, size_t end) {
    convert_ctx *c = p;
    const _Float16 *x = c->src;
    float *y = c->dst;
    for (size_t i = begin; i < end; i++) y[i] = (float)x[i];
}

VOLT_MULTIVERSION
static void f32_to_bf16_task(void *p, size_t begin, size_t end) {
    convert_ctx *c = p;
    const float *x = c->src;
    uint16_t *y = c->dst;
    for (size_t i = begin; i < end; i++) y[i] = volt_float_to_bf16(x[i]);
}

VOLT_MULTIVERSION
static void bf16_to_f32_task(void *p, size_t begin, size_t end) {
    convert_ctx *c = p;
    const uint16_t *x = c->src;
    float *y = c->dst;
    for (size_t i = begin; i < end; i++) y[i] = volt_bf16_to_float(x[i]);
}

#define VOLT_CONVERT_GRAIN 32768
void volt_f32_to_f16(const float *x, uint16_t *out, size_t n) {
    convert_ctx c = {x, out};
    volt_parallel_for(n, VOLT_CONVERT_GRAIN, f32_to_f16_task, &c);
}
void volt_f16_to_f32(const uint16_t *x, float *out, size_t n) {
    convert_ctx c = {x, out};
    volt_parallel_for(n, VOLT_CONVERT_GRAIN, f16_to_f32_task, &c);
}
void volt_f32_to_bf16(const float *x, uint16_t *out, size_t n) {
    convert_ctx c = {x, out};
    volt_parallel_for(n, VOLT_CONVERT_GRAIN, f32_to_bf16_task, &c);
}
void volt_bf16_to_f32(const uint16_t *x, float *out, size_t n) {
    convert_ctx c = {x, out};
    volt_parallel_for(n, VOLT_CONVERT_GRAIN, bf16_to_f32_task, &c);
}
