#include "internal.h"

// RMS normalization over the last axis of [rows, cols], forward and backward side by side.
// Forward: y = gamma * (x * rstd), rstd = 1 / sqrt(mean(x²) + eps), in that order (as transformers' LlamaRMSNorm).

typedef struct { const float *x, *gamma, *dy, *rstd_in; float *y, *rstd, *dx, *dgamma; size_t rows, cols; float eps; }
    rmsnorm_ctx;

VOLT_MULTIVERSION
static void rmsnorm_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    rmsnorm_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->x + r * cols;
        float *y = c->y + r * cols;
        float ss = 0.0f;
        for (size_t j = 0; j < cols; j++) ss += x[j] * x[j];
        float rs = 1.0f / sqrtf(ss / (float)cols + c->eps);
        c->rstd[r] = rs;
        for (size_t j = 0; j < cols; j++) y[j] = (c->gamma ? c->gamma[j] : 1.0f) * (x[j] * rs);
    }
}

void volt_rmsnorm_f32(const float *x, const float *gamma, float *y, float *rstd, size_t rows, size_t cols, float eps) {
    rmsnorm_ctx c = {x, gamma, NULL, NULL, y, rstd, NULL, NULL, rows, cols, eps};
    volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, rmsnorm_task, &c);
}

// dx = rstd * (g - xhat * mean(g * xhat)) with g = dy * gamma and xhat = x * rstd.
VOLT_MULTIVERSION
static void rmsnorm_dx_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    rmsnorm_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->x + r * cols, *dy = c->dy + r * cols;
        float *dx = c->dx + r * cols;
        float rs = c->rstd_in[r], sgx = 0.0f;
        for (size_t j = 0; j < cols; j++) sgx += dy[j] * (c->gamma ? c->gamma[j] : 1.0f) * x[j] * rs;
        sgx /= (float)cols;
        for (size_t j = 0; j < cols; j++) {
            float g = dy[j] * (c->gamma ? c->gamma[j] : 1.0f);
            dx[j] = rs * (g - x[j] * rs * sgx);
        }
    }
}

// Threads own column ranges, so dgamma needs no atomics and sums rows in a fixed order.
VOLT_MULTIVERSION
static void rmsnorm_dgamma_task(void *p, size_t begin, size_t end) {
    rmsnorm_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = 0; r < c->rows; r++) {
        const float *x = c->x + r * cols, *dy = c->dy + r * cols;
        float rs = c->rstd_in[r];
        for (size_t j = begin; j < end; j++) c->dgamma[j] += dy[j] * (x[j] * rs);
    }
}

void volt_rmsnorm_backward_f32(const float *x, const float *gamma, const float *rstd, const float *dy, float *dx,
                               float *dgamma, size_t rows, size_t cols) {
    rmsnorm_ctx c = {x, gamma, dy, rstd, NULL, NULL, dx, dgamma, rows, cols, 0.0f};
    if (dx) volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, rmsnorm_dx_task, &c);
    if (dgamma) volt_parallel_for(cols, rows >= 64 ? 16 : cols, rmsnorm_dgamma_task, &c);
}
