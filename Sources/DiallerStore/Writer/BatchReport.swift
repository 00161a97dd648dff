/// What the writer reports about each committed batch, for metrics and tests.
public struct BatchReport: Sendable {
    /// Jobs in the batch.
    public let jobs: Int
    /// Seconds from `BEGIN IMMEDIATE` to the end of `COMMIT` and, when pipelined, of the WAL sync
    /// that made it durable.
    public let seconds: Double
    /// Whether the batch committed (and, when pipelined, was synced).
    public let committed: Bool
}
