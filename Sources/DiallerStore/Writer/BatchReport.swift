/// What the writer reports about each committed batch, for metrics and tests.
public struct BatchReport: Sendable {
    /// Jobs in the batch.
    public let jobs: Int
    /// Seconds from `BEGIN IMMEDIATE` to the end of `COMMIT`.
    public let seconds: Double
    /// Whether the batch committed.
    public let committed: Bool
}
