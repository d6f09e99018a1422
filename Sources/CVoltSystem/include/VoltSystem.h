#ifndef VOLT_SYSTEM_H
#define VOLT_SYSTEM_H
// Process-level services the trainer needs from C: preemption signals (async-signal-safe handlers) and SHA-256 of
// files. Not numeric kernels, so they live apart from CVoltKernels.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- Preemption signals ----
/// Records `number` (SIGTERM, SIGUSR1) when it arrives instead of its default action; 0 on success.
int volt_signal_watch(int number);
/// Gives `number` its default action back.
void volt_signal_restore(int number);
/// The last recorded signal, or 0.
int volt_signal_last(void);
/// Forgets the recorded signal.
void volt_signal_clear(void);

// ---- SHA-256 ----
/// Streaming SHA-256 state.
typedef struct {
    uint32_t state[8];
    uint64_t length;
    unsigned char buffer[64];
    size_t buffered;
} volt_sha256_ctx;
void volt_sha256_init(volt_sha256_ctx *ctx);
void volt_sha256_update(volt_sha256_ctx *ctx, const void *data, size_t n);
void volt_sha256_final(volt_sha256_ctx *ctx, unsigned char digest[32]);

#ifdef __cplusplus
}
#endif
#endif
