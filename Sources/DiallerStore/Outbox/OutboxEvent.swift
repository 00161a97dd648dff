/// An event waiting for delivery: its id (the `webhook-id`), the exact body to sign and send, and
/// how far its retries have gone.
public struct OutboxEvent: Sendable, Equatable {
    public let eventID: Int64
    public let partnerID: Int64
    public let type: String
    /// The JSON body, byte for byte the same on every attempt.
    public let payload: String
    public let attempts: Int
    /// When the event (last) entered the queue: retries stop `giveUpAfter` after it.
    public let queuedAt: Timestamp
}

/// How one delivery attempt ended, as the outbox records it.
public enum DeliveryAttemptResult: Sendable, Equatable {
    /// The endpoint answered 2xx.
    case delivered(status: Int)
    /// Not delivered; tried again at `next`.
    case retry(status: Int?, error: String, next: Timestamp)
    /// Not delivered, and out of time: no more attempts until an administrator re-queues it.
    case failed(status: Int?, error: String)
}

/// The outbox's backlog, for metrics: events not yet delivered and the oldest one's creation.
public struct OutboxBacklog: Sendable, Equatable {
    public let pending: Int
    public let failed: Int
    public let oldestPendingCreatedAt: Timestamp?
}

extension OutboxEvent {
    /// The Standard Webhooks `webhook-id`: stable across retries, so a receiver can drop duplicates.
    public var webhookID: String { "evt_\(eventID)" }
}
