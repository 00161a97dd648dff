import DiallerStore

/// How the delivery worker sends webhooks. The defaults are the documented behaviour; tests
/// shorten the timings through `serve`'s hidden options.
struct WebhookDeliverySettings: Sendable {
    /// Longest one attempt may take, from connecting to the last byte of the answer.
    var attemptTimeout: Double = 10
    var backoff = WebhookBackoff()
    /// Retries stop this long after the event was queued; it is then `failed`.
    var giveUpAfter: Double = 86_400
    /// Seconds between looks for due events.
    var pollInterval: Double = 1
    /// Attempts in flight to one partner's endpoint at once.
    var perPartner = 4
    /// Attempts in flight altogether.
    var overall = 32
    var urlPolicy = WebhookURLPolicy()
    /// Days a delivered event is kept for `webhook_deliveries_report` before it is purged.
    var retentionDays = 30
    /// Seconds between purges of delivered events.
    var purgeInterval: Double = 600
    /// Opens the endpoints' sealed secrets to sign with; nil while no endpoint exists.
    var secretsKey: SecretsKey?
}
