#include "internal.h"

int64_t volt_embedding_f32(const float *weight, const int32_t *ids, float *out, size_t n, size_t dim, size_t vocab) {
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= vocab) return (int64_t)i;
    for (size_t i = 0; i < n; i++) memcpy(out + i * dim, weight + (size_t)ids[i] * dim, dim * sizeof(float));
    return -1;
}

typedef struct { const float *dy; const int32_t *ids; float *dweight; size_t n, dim; } embed_ctx;

VOLT_MULTIVERSION
static void embed_backward_task(void *p, size_t begin, size_t end) {
    embed_ctx *c = p;
    for (size_t i = 0; i < c->n; i++) {
        const float *g = c->dy + i * c->dim;
        float *w = c->dweight + (size_t)c->ids[i] * c->dim;
        for (size_t j = begin; j < end; j++) w[j] += g[j];
    }
}

void volt_embedding_backward_f32(const float *dy, const int32_t *ids, float *dweight, size_t n, size_t dim) {
    embed_ctx c = {dy, ids, dweight, n, dim};
    volt_parallel_for(dim, n >= 256 ? 16 : dim, embed_backward_task, &c);
}
