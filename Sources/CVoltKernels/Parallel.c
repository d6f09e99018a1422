#include "internal.h"

typedef struct {
    volt_range_fn fn;
    void *ctx;
    size_t n;
} volt_parallel_job;

static void volt_parallel_trampoline(void *data) {
    const volt_parallel_job *job = (const volt_parallel_job *)data;
    size_t threads = (size_t)omp_get_num_threads();
    size_t id = (size_t)omp_get_thread_num();
    size_t chunk = (job->n + threads - 1) / threads;
    size_t begin = id * chunk;
    size_t end = begin + chunk < job->n ? begin + chunk : job->n;
    if (begin < end) job->fn(job->ctx, begin, end);
}

void volt_parallel_for(size_t n, size_t grain, volt_range_fn fn, void *ctx) {
    if (n == 0) return;
    size_t threads = (size_t)omp_get_max_threads();
    if (grain == 0) grain = 1;
    size_t useful = n / grain;
    if (useful < threads) threads = useful;
    if (threads <= 1 || omp_in_parallel()) {
        fn(ctx, 0, n);
        return;
    }
    volt_parallel_job job = {fn, ctx, n};
    GOMP_parallel(volt_parallel_trampoline, &job, (unsigned)threads, 0);
}

int volt_max_threads(void) { return omp_get_max_threads(); }
void volt_set_threads(int n) { omp_set_num_threads(n > 0 ? n : 1); }
