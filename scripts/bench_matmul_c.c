// Plain-C reference for `volt bench --op matmul`: 1024³ float32 products through cblas_sgemm (OpenBLAS's OpenMP
// build) and oneDNN's matmul primitive, best of 10 after 2 warm-up runs, as GFLOP/s.
// Build and run: scripts/bench_matmul_c.sh
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHECK(call) do { if ((call) != dnnl_success) { fprintf(stderr, "%s failed\n", #call); exit(1); } } while (0)

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1024;
    float *a = aligned_alloc(64, sizeof(float) * n * n), *b = aligned_alloc(64, sizeof(float) * n * n);
    float *c = aligned_alloc(64, sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) { a[i] = (float)rand() / RAND_MAX - 0.5f; b[i] = (float)rand() / RAND_MAX - 0.5f; }
    double flops = 2.0 * n * n * n, best = 1e9;
    for (int r = 0; r < 12; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        t = now() - t;
        if (r >= 2 && t < best) best = t;
    }
    printf("{\"openblas\": %.1f, ", flops / best / 1e9);

    dnnl_engine_t engine;
    dnnl_stream_t stream;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    dnnl_dims_t dims = {n, n};
    dnnl_memory_desc_t md;
    CHECK(dnnl_memory_desc_init_by_tag(&md, 2, dims, dnnl_f32, dnnl_ab));
    dnnl_matmul_desc_t desc;
    CHECK(dnnl_matmul_desc_init(&desc, &md, &md, NULL, &md));
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL));
    dnnl_primitive_t prim;
    CHECK(dnnl_primitive_create(&prim, pd));
    dnnl_memory_t ma, mb, mc;
    CHECK(dnnl_memory_create(&ma, &md, engine, a));
    CHECK(dnnl_memory_create(&mb, &md, engine, b));
    CHECK(dnnl_memory_create(&mc, &md, engine, c));
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}};
    best = 1e9;
    for (int r = 0; r < 12; r++) {
        double t = now();
        CHECK(dnnl_primitive_execute(prim, stream, 3, args));
        CHECK(dnnl_stream_wait(stream));
        t = now() - t;
        if (r >= 2 && t < best) best = t;
    }
    printf("\"onednn\": %.1f, \"m\": %d, \"n\": %d, \"k\": %d}\n", flops / best / 1e9, n, n, n);
    return 0;
}
