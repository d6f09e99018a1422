// Preemption signals (SIGTERM, SIGUSR1) recorded by an async-signal-safe handler. A signal's disposition is
// process-wide by nature, so the flag is too; the trainer installs the handler while `fit` runs and reads the flag
// at batch boundaries.
#include <signal.h>
#include <string.h>
#include "VoltSystem.h"

static volatile sig_atomic_t volt_last_signal = 0;

static void volt_record_signal(int number) { volt_last_signal = number; }

int volt_signal_watch(int number) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = volt_record_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(number, &action, NULL);
}

void volt_signal_restore(int number) { signal(number, SIG_DFL); }

int volt_signal_last(void) { return volt_last_signal; }

void volt_signal_clear(void) { volt_last_signal = 0; }
