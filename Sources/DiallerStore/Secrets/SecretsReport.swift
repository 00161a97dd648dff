/// What sealing or re-sealing the webhook secrets did.
public struct SecretsReport: Sendable, Equatable {
    /// Secrets (current and previous) sealed or re-sealed by this job.
    public let secrets: Int
    /// Endpoints whose secrets are now sealed with the key.
    public let endpoints: Int
    /// Whether the write-ahead log was checkpointed and truncated afterwards, so it keeps no earlier
    /// copy of the rows; false when a reader (a replicator) held it, or nothing needed it.
    public let walTruncated: Bool
}
