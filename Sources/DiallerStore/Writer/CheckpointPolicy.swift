/// Who moves the WAL's pages back into the database file.
///
/// SQLite checkpoints from the connection that commits, by default; a replicator such as
/// Litestream reads the WAL before pages leave it, holds a read transaction to stop others
/// checkpointing, and asks to be the only one that checkpoints (litestream.io/tips).
public enum CheckpointPolicy: String, Sendable, CaseIterable {
    /// The writer checkpoints (passively, every ~16 MB of WAL) and truncates the WAL on close.
    case auto
    /// Never checkpoint from this process: `wal_autocheckpoint=0` and no checkpoint on close.
    /// Something else must checkpoint, or the WAL grows without bound.
    case external
}
