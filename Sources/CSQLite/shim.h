#include <sqlite3.h>

/// sqlite3_db_config is variadic, which Swift cannot call: the one use the writer has for it,
/// no checkpoint when the connection closes (after a failed WAL sync, see WALSyncer).
static inline int dialler_sqlite3_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/// sqlite3_config is variadic too: turns off SQLite's memory statistics, which take a process-wide
/// mutex on every allocation and free. Only before SQLite is initialized; answers SQLITE_MISUSE after.
static inline int dialler_sqlite3_no_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
