/// Everything `serve` can be told, with the defaults the README documents.
struct ServerConfiguration: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var region = "GB"
    var maxBodyBytes = 65_536
    /// Largest `/lead/batch` body: a thousand leads with room to spare.
    var maxBatchBodyBytes = 4 << 20
    var promoteEvery = 1.0
    /// Requests per second per key (nil: no limit) and the burst allowed above it.
    var rateLimit: Double?
    var rateBurst = 100
    var metricsKey: String?
    /// Idle keep-alive connections are closed after this many seconds.
    var idleTimeoutSeconds = 60
    /// Peers whose `X-Forwarded-For` names the client in the access log (none: the peer is the client).
    var trustedProxies = TrustedProxies()
    /// The abandoned-call guard: a group at or over `abandonLimit` percent (nil: off) on at least
    /// `abandonMinLive` live calls in 24 hours is handed no calls.
    var abandonLimit: Double? = 3
    var abandonMinLive = 100
}
