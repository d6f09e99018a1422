#include <stdlib.h>
#include "internal.h"

typedef struct { const float *x, *y, *dy; float *out; size_t cols; int log; } softmax_ctx;

VOLT_MULTIVERSION
static void softmax_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    softmax_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->x + r * cols;
        float *y = c->out + r * cols;
        float m = volt_row_max(x, cols);
        if (m == -INFINITY) m = 0.0f;  // an all -inf row gives NaN, as in PyTorch, through exp(-inf)/0 below
        float s = 0.0f;
        for (size_t j = 0; j < cols; j++) { float e = volt_expf(x[j] - m); y[j] = e; s += e; }
        if (c->log) {
            float lse = m + volt_logf(s);
            for (size_t j = 0; j < cols; j++) y[j] = x[j] - lse;
        } else {
            float inv = 1.0f / s;
            for (size_t j = 0; j < cols; j++) y[j] *= inv;
        }
    }
}

void volt_softmax_f32(const float *x, float *y, size_t rows, size_t cols, int log) {
    softmax_ctx c = {x, NULL, NULL, y, cols, log};
    volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, softmax_task, &c);
}

VOLT_MULTIVERSION
static void softmax_backward_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    softmax_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *y = c->y + r * cols, *dy = c->dy + r * cols;
        float *dx = c->out + r * cols;
        if (c->log) {
            float s = 0.0f;
            for (size_t j = 0; j < cols; j++) s += dy[j];
            for (size_t j = 0; j < cols; j++) dx[j] = dy[j] - volt_expf(y[j]) * s;
        } else {
            float s = 0.0f;
            for (size_t j = 0; j < cols; j++) s += dy[j] * y[j];
            for (size_t j = 0; j < cols; j++) dx[j] = y[j] * (dy[j] - s);
        }
    }
}

void volt_softmax_backward_f32(const float *y, const float *dy, float *dx, size_t rows, size_t cols, int log) {
    softmax_ctx c = {NULL, y, dy, dx, cols, log};
    volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, softmax_backward_task, &c);
}

typedef struct {
    const float *x, *gamma, *beta, *dy;
    float *y, *mean, *rstd, *dx, *dgamma, *dbeta;
    const float *cmean, *crstd;
    size_t rows, cols;
    float eps;
    uint16_t *x16_out, *y16_out;  // forward: bfloat16 copies of x and y written in the same pass (NULL: none)
    const uint16_t *x16;          // backward: x as its bfloat16 copy (used when x is NULL)
} layernorm_ctx;

VOLT_MULTIVERSION
static void layernorm_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    layernorm_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->x + r * cols;
        float *y = c->y + r * cols;
        float s = 0.0f;
        for (size_t j = 0; j < cols; j++) s += x[j];
        float mu = s / (float)cols;
        float v = 0.0f;
        for (size_t j = 0; j < cols; j++) { float d = x[j] - mu; v += d * d; }
        float rs = 1.0f / sqrtf(v / (float)cols + c->eps);
        for (size_t j = 0; j < cols; j++) {
            float n = (x[j] - mu) * rs;
            y[j] = n * (c->gamma ? c->gamma[j] : 1.0f) + (c->beta ? c->beta[j] : 0.0f);
        }
        if (c->x16_out)
            for (size_t j = 0; j < cols; j++) c->x16_out[r * cols + j] = volt_float_to_bf16(x[j]);
        if (c->y16_out)
            for (size_t j = 0; j < cols; j++) c->y16_out[r * cols + j] = volt_float_to_bf16(y[j]);
        c->mean[r] = mu;
        c->rstd[r] = rs;
    }
}

void volt_layernorm_f32(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *rstd,
                        size_t rows, size_t cols, float eps) {
    volt_layernorm_rounding_f32(x, gamma, beta, y, mean, rstd, NULL, NULL, rows, cols, eps);
}

void volt_layernorm_rounding_f32(const float *x, const float *gamma, const float *beta, float *y, float *mean,
                                 float *rstd, uint16_t *x16, uint16_t *y16, size_t rows, size_t cols, float eps) {
    layernorm_ctx c = {x, gamma, beta, NULL, y, mean, rstd, NULL, NULL, NULL, NULL, NULL, rows, cols, eps, x16, y16,
                       NULL};
    volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, layernorm_task, &c);
}

VOLT_MULTIVERSION
static void layernorm_dx_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    layernorm_ctx *c = p;
    size_t cols = c->cols;
    float inv_n = 1.0f / (float)cols;
    float row[8192];  // one row of the bfloat16 x, widened (on the heap for wider rows)
    float *widened = c->x ? NULL : cols <= 8192 ? row : malloc(sizeof(float) * cols);
    if (!c->x && !widened) abort();  // out of memory for one row
    for (size_t r = begin; r < end; r++) {
        const float *x = c->x ? c->x + r * cols : widened, *dy = c->dy + r * cols;
        if (!c->x)
            for (size_t j = 0; j < cols; j++) widened[j] = volt_bf16_to_float(c->x16[r * cols + j]);
        float *dx = c->dx + r * cols;
        float mu = c->cmean[r], rs = c->crstd[r];
        // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma.
        float sg = 0.0f, sgx = 0.0f;
        for (size_t j = 0; j < cols; j++) {
            float g = dy[j] * (c->gamma ? c->gamma[j] : 1.0f);
            float xh = (x[j] - mu) * rs;
            sg += g;
            sgx += g * xh;
        }
        sg *= inv_n;
        sgx *= inv_n;
        for (size_t j = 0; j < cols; j++) {
            float g = dy[j] * (c->gamma ? c->gamma[j] : 1.0f);
            float xh = (x[j] - mu) * rs;
            dx[j] = rs * (g - sg - xh * sgx);
        }
    }
    if (widened != row) free(widened);
}

// Threads own column ranges, so dgamma and dbeta need no atomics and sum rows in a fixed order.
VOLT_MULTIVERSION
static void layernorm_dparams_task(void *p, size_t begin, size_t end) {
    layernorm_ctx *c = p;
    size_t cols = c->cols;
    for (size_t r = 0; r < c->rows; r++) {
        const float *dy = c->dy + r * cols;
        float mu = c->cmean[r], rs = c->crstd[r];
        if (c->x) {
            const float *x = c->x + r * cols;
            for (size_t j = begin; j < end; j++) {
                if (c->dgamma) c->dgamma[j] += dy[j] * (x[j] - mu) * rs;
                if (c->dbeta) c->dbeta[j] += dy[j];
            }
        } else {
            const uint16_t *x = c->x16 + r * cols;
            for (size_t j = begin; j < end; j++) {
                if (c->dgamma) c->dgamma[j] += dy[j] * (volt_bf16_to_float(x[j]) - mu) * rs;
                if (c->dbeta) c->dbeta[j] += dy[j];
            }
        }
    }
}

void volt_layernorm_backward_f32(const float *x, const float *gamma, const float *mean, const float *rstd,
                                 const float *dy, float *dx, float *dgamma, float *dbeta, size_t rows, size_t cols) {
    volt_layernorm_backward_saved(x, NULL, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
}

void volt_layernorm_backward_saved(const float *x, const uint16_t *x16, const float *gamma, const float *mean,
                                   const float *rstd, const float *dy, float *dx, float *dgamma, float *dbeta,
                                   size_t rows, size_t cols) {
    layernorm_ctx c = {x, gamma, NULL, dy, NULL, NULL, NULL, dx, dgamma, dbeta, mean, rstd, rows, cols, 0.0f, NULL,
                       NULL, x16};
    if (dx) volt_parallel_for(rows, 4096 / (cols ? cols : 1) + 1, layernorm_dx_task, &c);
    if (dgamma || dbeta) volt_parallel_for(cols, rows >= 64 ? 16 : cols, layernorm_dparams_task, &c);
}
