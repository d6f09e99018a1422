#include "internal.h"

typedef struct {
    const char *src; char *dst; int ndim; const int64_t *shape; const int64_t *strides; size_t elem; size_t inner;
} strided_ctx;

// Copies outer rows [begin, end) of the view; a row is the last dimension.
VOLT_MULTIVERSION
static void strided_task(void *p, size_t begin, size_t end) {
    strided_ctx *c = p;
    int nd = c->ndim;
    size_t inner = c->inner, elem = c->elem;
    int64_t inner_stride = c->strides[nd - 1];
    for (size_t row = begin; row < end; row++) {
        size_t rem = row;
        int64_t off = 0;
        for (int d = nd - 2; d >= 0; d--) {
            size_t extent = (size_t)c->shape[d];
            off += (int64_t)(rem % extent) * c->strides[d];
            rem /= extent;
        }
        char *out = c->dst + row * inner * elem;
        const char *in = c->src + off * (int64_t)elem;
        if (inner_stride == 1) { memcpy(out, in, inner * elem); continue; }
        switch (elem) {
        case 2: for (size_t i = 0; i < inner; i++) ((uint16_t *)out)[i] = *(const uint16_t *)(in + (int64_t)i * inner_stride * 2); break;
        case 4: for (size_t i = 0; i < inner; i++) ((uint32_t *)out)[i] = *(const uint32_t *)(in + (int64_t)i * inner_stride * 4); break;
        case 8: for (size_t i = 0; i < inner; i++) ((uint64_t *)out)[i] = *(const uint64_t *)(in + (int64_t)i * inner_stride * 8); break;
        default: for (size_t i = 0; i < inner; i++) memcpy(out + i * elem, in + (int64_t)i * inner_stride * (int64_t)elem, elem);
        }
    }
}

void volt_strided_copy(const void *src, void *dst, int ndim, const int64_t *shape, const int64_t *strides,
                       size_t elem_size) {
    if (ndim == 0) { memcpy(dst, src, elem_size); return; }
    size_t rows = 1;
    for (int d = 0; d < ndim - 1; d++) rows *= (size_t)shape[d];
    size_t inner = (size_t)shape[ndim - 1];
    if (rows == 0 || inner == 0) return;
    strided_ctx c = {src, dst, ndim, shape, strides, elem_size, inner};
    volt_parallel_for(rows, 16384 / inner + 1, strided_task, &c);
}

typedef struct { const char *src; size_t src_pitch; char *dst; size_t dst_pitch; size_t row_bytes; } copy2d_ctx;
static void copy2d_task(void *p, size_t begin, size_t end) {
    copy2d_ctx *c = p;
    for (size_t r = begin; r < end; r++) memcpy(c->dst + r * c->dst_pitch, c->src + r * c->src_pitch, c->row_bytes);
}

void volt_copy_2d(const void *src, size_t src_pitch, void *dst, size_t dst_pitch, size_t rows, size_t row_bytes) {
    copy2d_ctx c = {src, src_pitch, dst, dst_pitch, row_bytes};
    volt_parallel_for(rows, 65536 / (row_bytes + 1) + 1, copy2d_task, &c);
}
