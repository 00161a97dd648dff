extension Connection {
    /// Applies the settings every read-write connection of ours needs.
    func configureForWriting(checkpoints: CheckpointPolicy, synchronous: SynchronousMode = .full) throws {
        try execute(
            script: """
                PRAGMA journal_mode = WAL;       -- readers never block the writer: sqlite.org/wal.html
                PRAGMA synchronous = FULL;       -- saved:true must survive power loss; group commit pays for the fsync
                PRAGMA foreign_keys = ON;        -- the schema's references are enforced, not decorative
                PRAGMA wal_autocheckpoint = 4000; -- ~16 MB of WAL between checkpoints: fewer checkpoint stalls under load
                PRAGMA journal_size_limit = 67108864; -- but the WAL file is truncated back to 64 MB after one
                PRAGMA temp_store = MEMORY;      -- savepoints' sub-journals stay off the disk
                PRAGMA cache_size = -32768;      -- 32 MiB of pages: the hot indexes stay cached as the tables grow
                """)
        if checkpoints == .external {
            // Another process checkpoints (Litestream): two checkpointers race it, and only one
            // connection checkpointing also keeps clear of SQLite's WAL-reset bug (sqlite.org/wal.html#walresetbug).
            try execute(script: "PRAGMA wal_autocheckpoint = 0")
        }
        switch synchronous {
        case .full: break
        // The pipelined writer's COMMIT: it syncs the WAL itself before answering (WALSyncer).
        // Without that (only the power-cut tests ask), NORMAL breaks the promise.
        case .normal: try execute(script: "PRAGMA synchronous = NORMAL")
        // Never in production: only the power-cut tests ask for it, to break the promise on purpose.
        case .off: try execute(script: "PRAGMA synchronous = OFF")
        }
    }
}
