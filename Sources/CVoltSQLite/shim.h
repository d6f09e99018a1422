#ifndef VOLT_CVOLTSQLITE_SHIM_H
#define VOLT_CVOLTSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro over a cast Swift cannot import: SQLite copies the bound text at once.
static inline void (*volt_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }
#endif
