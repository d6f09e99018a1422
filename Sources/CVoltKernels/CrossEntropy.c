#include "internal.h"

typedef struct {
    const float *logits; const int32_t *targets; float *loss; float *lse; const float *clse; float *dlogits;
    size_t cols; int32_t ignore; float scale; int64_t bad_row;
} ce_ctx;

VOLT_MULTIVERSION
static void ce_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    ce_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->logits + r * cols;
        int32_t t = c->targets[r];
        float m = volt_row_max(x, cols);
        float s = 0.0f;
        for (size_t j = 0; j < cols; j++) s += volt_expf(x[j] - m);
        float lse = m + volt_logf(s);
        c->lse[r] = lse;
        if (t == c->ignore) { c->loss[r] = 0.0f; continue; }
        if (t < 0 || (size_t)t >= cols) {
            // Benign race: any offending row is reported; the caller raises an error naming it.
            c->bad_row = (int64_t)r;
            c->loss[r] = 0.0f;
            continue;
        }
        c->loss[r] = lse - x[t];
    }
}

int64_t volt_cross_entropy_f32(const float *logits, const int32_t *targets, float *loss, float *lse, size_t rows,
                               size_t cols, int32_t ignore_index) {
    ce_ctx c = {logits, targets, loss, lse, NULL, NULL, cols, ignore_index, 0.0f, -1};
    volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, ce_task, &c);
    return c.bad_row;
}

VOLT_MULTIVERSION
static void ce_backward_task(void *p, size_t begin, size_t end) {
    ce_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->logits + r * cols;
        float *d = c->dlogits + r * cols;
        int32_t t = c->targets[r];
        if (t == c->ignore) { memset(d, 0, cols * sizeof(float)); continue; }
        float lse = c->clse[r], scale = c->scale;
        for (size_t j = 0; j < cols; j++) d[j] = scale * volt_expf(x[j] - lse);
        d[t] -= scale;
    }
}

void volt_cross_entropy_backward_f32(const float *logits, const int32_t *targets, const float *lse, float scale,
                                     float *dlogits, size_t rows, size_t cols, int32_t ignore_index) {
    ce_ctx c = {logits, targets, NULL, NULL, lse, dlogits, cols, ignore_index, scale, -1};
    volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, ce_backward_task, &c);
}
