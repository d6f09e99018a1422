// Row-major bfloat16 products with float32 results on oneDNN's matmul primitive (AVX512_BF16 kernels), for
// kernels that run their own parallel loop: inside a parallel region oneDNN runs each product on the calling
// thread. Primitives are created once per geometry and kept for the life of the process, like oneDNN's own cache.
// Threads run the same primitive at once, so each brings its own scratchpad (oneDNN's library-managed one is
// shared between threads unless oneDNN was built with DNNL_ENABLE_CONCURRENT_EXEC, which Debian's is not).
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include "bf16_gemm.h"

/// A product's geometry; all 64-bit fields, so the struct has no padding and memcmp compares exactly them.
typedef struct {
    int64_t m, n, k, lda, ldb, ldc;
    int64_t trans_a, trans_b, accumulate;
} gemm_key;

typedef struct {
    gemm_key key;
    dnnl_primitive_t primitive;  // NULL: free slot
    dnnl_memory_desc_t a, b, c, scratchpad;
} gemm_entry;

/// One thread's oneDNN stream and scratchpad.
typedef struct {
    dnnl_stream_t stream;
    void *scratchpad;
    size_t scratchpad_size;
} gemm_stream;

#define VOLT_BF16_GEMM_SLOTS 1024  // as many as oneDNN's own primitive cache keeps by default
static gemm_entry slots[VOLT_BF16_GEMM_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void create_engine(void) {
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

static size_t key_hash(const gemm_key *k) {
    uint64_t h = 1469598103934665603ull;
    const int64_t parts[9] = {k->m, k->n, k->k, k->lda, k->ldb, k->ldc, k->trans_a, k->trans_b, k->accumulate};
    for (int i = 0; i < 9; i++) h = (h ^ (uint64_t)parts[i]) * 1099511628211ull;
    return (size_t)(h % VOLT_BF16_GEMM_SLOTS);
}

static int same_key(const gemm_key *a, const gemm_key *b) { return memcmp(a, b, sizeof(gemm_key)) == 0; }

/// Builds the primitive for `key` into `e`; 0 on success.
static int create_primitive(const gemm_key *key, gemm_entry *e) {
    dnnl_dims_t a_dims = {key->m, key->k}, b_dims = {key->k, key->n}, c_dims = {key->m, key->n};
    dnnl_dims_t a_strides = {key->trans_a ? 1 : key->lda, key->trans_a ? key->lda : 1};
    dnnl_dims_t b_strides = {key->trans_b ? 1 : key->ldb, key->trans_b ? key->ldb : 1};
    dnnl_dims_t c_strides = {key->ldc, 1};
    if (dnnl_memory_desc_init_by_strides(&e->a, 2, a_dims, dnnl_bf16, a_strides) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&e->b, 2, b_dims, dnnl_bf16, b_strides) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&e->c, 2, c_dims, dnnl_f32, c_strides) != dnnl_success)
        return -1;
    dnnl_matmul_desc_t desc;
    if (dnnl_matmul_desc_init(&desc, &e->a, &e->b, NULL, &e->c) != dnnl_success) return -1;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int status = -1;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success ||
        dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success)
        goto done;
    if (key->accumulate) {  // C += A·B
        if (dnnl_post_ops_create(&post_ops) != dnnl_success || dnnl_post_ops_append_sum(post_ops, 1.0f) != dnnl_success ||
            dnnl_primitive_attr_set_post_ops(attr, post_ops) != dnnl_success)
            goto done;
    }
    if (dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL) != dnnl_success) goto done;
    const dnnl_memory_desc_t *scratchpad = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (scratchpad == NULL) goto done;
    e->scratchpad = *scratchpad;
    if (dnnl_primitive_create(&e->primitive, pd) != dnnl_success) {
        e->primitive = NULL;
        goto done;
    }
    e->key = *key;
    status = 0;
done:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return status;
}

/// The cached primitive for `key` (created on first use); a private one in `scratch` when the cache is full.
static const gemm_entry *lookup(const gemm_key *key, gemm_entry *scratch) {
    pthread_mutex_lock(&slots_lock);
    size_t i = key_hash(key);
    const gemm_entry *found = NULL;
    for (size_t probe = 0; probe < VOLT_BF16_GEMM_SLOTS; probe++, i = (i + 1) % VOLT_BF16_GEMM_SLOTS) {
        if (slots[i].primitive == NULL) {
            if (create_primitive(key, &slots[i]) == 0) found = &slots[i];
            break;
        }
        if (same_key(&slots[i].key, key)) {
            found = &slots[i];
            break;
        }
    }
    pthread_mutex_unlock(&slots_lock);
    if (found) return found;
    scratch->primitive = NULL;
    return create_primitive(key, scratch) == 0 ? scratch : NULL;
}

volt_bf16_stream volt_bf16_stream_create(void) {
    pthread_once(&engine_once, create_engine);
    gemm_stream *s = calloc(1, sizeof(gemm_stream));
    if (engine == NULL || s == NULL || dnnl_stream_create(&s->stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        free(s);
        return NULL;
    }
    return s;
}

void volt_bf16_stream_destroy(volt_bf16_stream stream) {
    gemm_stream *s = stream;
    if (s == NULL) return;
    dnnl_stream_destroy(s->stream);
    free(s->scratchpad);
    free(s);
}

/// A scratchpad of at least `size` bytes for this thread's products.
static void *scratchpad(gemm_stream *s, size_t size) {
    if (size > s->scratchpad_size) {
        free(s->scratchpad);
        s->scratchpad = aligned_alloc(64, (size + 63) & ~(size_t)63);
        s->scratchpad_size = s->scratchpad ? size : 0;
    }
    return s->scratchpad;
}

int volt_bf16_gemm(volt_bf16_stream stream, int trans_a, int trans_b, size_t m, size_t n, size_t k, const uint16_t *a,
                   size_t lda, const uint16_t *b, size_t ldb, int accumulate, float *c, size_t ldc) {
    gemm_stream *s = stream;
    if (s == NULL) return -1;
    gemm_key key = {(int64_t)m, (int64_t)n, (int64_t)k, (int64_t)lda, (int64_t)ldb, (int64_t)ldc,
                    trans_a != 0, trans_b != 0, accumulate != 0};
    gemm_entry scratch;
    const gemm_entry *e = lookup(&key, &scratch);
    if (e == NULL) return -1;
    size_t scratch_size = dnnl_memory_desc_get_size(&e->scratchpad);
    void *scratch_buffer = scratch_size ? scratchpad(s, scratch_size) : NULL;
    dnnl_memory_t memories[4] = {NULL, NULL, NULL, NULL};
    int status = -1;
    if ((scratch_size == 0 || scratch_buffer != NULL) &&
        dnnl_memory_create(&memories[0], &e->a, engine, (void *)a) == dnnl_success &&
        dnnl_memory_create(&memories[1], &e->b, engine, (void *)b) == dnnl_success &&
        dnnl_memory_create(&memories[2], &e->c, engine, c) == dnnl_success &&
        dnnl_memory_create(&memories[3], &e->scratchpad, engine, scratch_buffer) == dnnl_success) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, memories[0]}, {DNNL_ARG_WEIGHTS, memories[1]},
                                   {DNNL_ARG_DST, memories[2]}, {DNNL_ARG_SCRATCHPAD, memories[3]}};
        if (dnnl_primitive_execute(e->primitive, s->stream, 4, args) == dnnl_success &&
            dnnl_stream_wait(s->stream) == dnnl_success)
            status = 0;
    }
    for (int i = 0; i < 4; i++)
        if (memories[i]) dnnl_memory_destroy(memories[i]);
    if (e == &scratch) dnnl_primitive_destroy(scratch.primitive);
    return status;
}
