#include "internal.h"

typedef struct { const float *x; float *out; int32_t *index; const float *dy; float *dx; size_t n, inner; } reduce_ctx;

VOLT_MULTIVERSION
static void sum_task(void *p, size_t begin, size_t end) {
    VOLT_REASSOCIATE
    reduce_ctx *c = p;
    size_t n = c->n, inner = c->inner;
    for (size_t o = begin; o < end; o++) {
        const float *x = c->x + o * n * inner;
        float *out = c->out + o * inner;
        if (inner == 1) {
            // Eight partial sums: vectorizable and less rounding than one running sum.
            float acc[8] = {0};
            size_t j = 0;
            for (; j + 8 <= n; j += 8)
                for (int k = 0; k < 8; k++) acc[k] += x[j + k];
            float s = 0.0f;
            for (; j < n; j++) s += x[j];
            out[0] = s + ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        } else {
            for (size_t i = 0; i < inner; i++) out[i] = 0.0f;
            for (size_t j = 0; j < n; j++) {
                const float *row = x + j * inner;
                for (size_t i = 0; i < inner; i++) out[i] += row[i];
            }
        }
    }
}

typedef struct { const float *x; size_t n; size_t chunks; float *partial; } total_ctx;
static void total_task(void *p, size_t begin, size_t end) {
    total_ctx *c = p;
    for (size_t k = begin; k < end; k++) {
        size_t lo = c->n * k / c->chunks, hi = c->n * (k + 1) / c->chunks;
        reduce_ctx r = {c->x + lo, c->partial + k, NULL, NULL, NULL, hi - lo, 1};
        sum_task(&r, 0, 1);
    }
}

typedef struct { const float *x; float *out; size_t n, inner, width, blocks; } column_sum_ctx;

VOLT_MULTIVERSION
static void column_sum_task(void *p, size_t begin, size_t end) {
    column_sum_ctx *c = p;
    for (size_t t = begin; t < end; t++) {
        size_t o = t / c->blocks, lo = (t % c->blocks) * c->width, hi = lo + c->width < c->inner ? lo + c->width : c->inner;
        const float *x = c->x + o * c->n * c->inner;
        float *out = c->out + o * c->inner;
        for (size_t i = lo; i < hi; i++) out[i] = 0.0f;
        for (size_t j = 0; j < c->n; j++) {
            const float *row = x + j * c->inner;
            for (size_t i = lo; i < hi; i++) out[i] += row[i];
        }
    }
}

void volt_reduce_sum_f32(const float *x, float *out, size_t outer, size_t n, size_t inner) {
    if (outer == 1 && inner == 1 && n >= 65536) {
        // A fixed chunk count (not the thread count) keeps the result identical however many threads run.
        enum { chunks = 16 };
        float partial[chunks];
        total_ctx t = {x, n, chunks, partial};
        volt_parallel_for(chunks, 1, total_task, &t);
        float s = 0.0f;
        for (int k = 0; k < chunks; k++) s += partial[k];
        out[0] = s;
        return;
    }
    size_t work = n * inner;
    if (outer < 4 && inner >= 256 && work >= 65536) {
        // Few outputs of wide rows (a bias gradient: [rows, n] summed over the rows): split the columns instead.
        // Each column is still summed row by row in order, so the result does not depend on the split.
        // One block of columns per thread (at least 64 wide): narrower blocks read each row in short pieces and
        // ran at about half the speed.
        size_t threads = (size_t)omp_get_max_threads(), width = (inner + threads - 1) / threads;
        width = width < 64 ? 64 : (width + 15) / 16 * 16;
        column_sum_ctx c = {x, out, n, inner, width, (inner + width - 1) / width};
        volt_parallel_for(outer * c.blocks, 1, column_sum_task, &c);
        return;
    }
    reduce_ctx c = {x, out, NULL, NULL, NULL, n, inner};
    volt_parallel_for(outer, work >= 16384 ? 1 : 16384 / (work ? work : 1), sum_task, &c);
}

static void max_task(void *p, size_t begin, size_t end) {
    reduce_ctx *c = p;
    size_t n = c->n, inner = c->inner;
    for (size_t o = begin; o < end; o++) {
        const float *x = c->x + o * n * inner;
        for (size_t i = 0; i < inner; i++) {
            float best = x[i];
            int32_t at = 0;
            for (size_t j = 1; j < n && best == best; j++) {
                float v = x[j * inner + i];
                if (v > best || v != v) { best = v; at = (int32_t)j; }
            }
            c->out[o * inner + i] = best;
            if (c->index) c->index[o * inner + i] = at;
        }
    }
}

void volt_reduce_max_f32(const float *x, float *out, int32_t *index, size_t outer, size_t n, size_t inner) {
    reduce_ctx c = {x, out, index, NULL, NULL, n, inner};
    volt_parallel_for(outer, 16384 / (n * inner ? n * inner : 1) + 1, max_task, &c);
}

static void max_backward_task(void *p, size_t begin, size_t end) {
    reduce_ctx *c = p;
    size_t n = c->n, inner = c->inner;
    for (size_t o = begin; o < end; o++) {
        float *dx = c->dx + o * n * inner;
        memset(dx, 0, n * inner * sizeof(float));
        for (size_t i = 0; i < inner; i++) dx[(size_t)c->index[o * inner + i] * inner + i] = c->dy[o * inner + i];
    }
}

void volt_reduce_max_backward_f32(const float *dy, const int32_t *index, float *dx, size_t outer, size_t n,
                                  size_t inner) {
    reduce_ctx c = {NULL, NULL, (int32_t *)index, dy, dx, n, inner};
    volt_parallel_for(outer, 16384 / (n * inner ? n * inner : 1) + 1, max_backward_task, &c);
}

VOLT_MULTIVERSION
double volt_sum_squares_f32(const float *x, size_t n) {
    VOLT_REASSOCIATE
    double total = 0.0;
    for (size_t base = 0; base < n; base += 4096) {
        size_t end = base + 4096 < n ? base + 4096 : n;
        float acc = 0.0f;
        for (size_t i = base; i < end; i++) acc += x[i] * x[i];
        total += acc;
    }
    return total;
}
