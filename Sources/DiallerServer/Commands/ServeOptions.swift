import ArgumentParser
import DiallerStore
import Logging

/// The options of `serve` (and `demo`), each also read from an environment variable. Values are
/// kept as given and checked strictly by `settings()`, so a bad option or variable ends the command
/// with one line naming it and its value, before anything starts.
struct ServeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Address to listen on (env DIALLER_HOST; default 127.0.0.1).")
    var host: String?

    @Option(parsing: .unconditional, help: "Port to listen on; 0 picks a free one (env DIALLER_PORT; default 8080).")
    var port: String?

    @Option(parsing: .unconditional, help: "Seconds between promotion ticks, fractions allowed (env DIALLER_PROMOTE_EVERY; default 1).")
    var promoteEvery: String?

    @Option(parsing: .unconditional, help: "Region for numbers written without a country code (env DIALLER_REGION; default GB).")
    var region: String?

    @Option(parsing: .unconditional, help: "Most writes per commit; 1 turns group commit off (env DIALLER_MAX_BATCH; default 512).")
    var maxBatch: String?

    @Option(parsing: .unconditional, help: "Largest request body in bytes (env DIALLER_MAX_BODY; default 65536).")
    var maxBody: String?

    @Option(parsing: .unconditional, help: "Largest /lead/batch body in bytes (env DIALLER_MAX_BATCH_BODY; default 4194304, 4 MiB).")
    var maxBatchBody: String?

    @Option(
        parsing: .unconditional,
        help: "Hours an Idempotency-Key's answer is kept and replayed to a repeat (env DIALLER_IDEMPOTENCY_HOURS; default 24).")
    var idempotencyHours: String?

    @Option(parsing: .unconditional, help: "Seconds a dialler may hold a claimed call before it is queued again (env DIALLER_LEASE; default 600).")
    var lease: String?

    @Option(
        parsing: .unconditional,
        help: "Most attempts to one number in any 24 hours, across types; unset means no cap (env DIALLER_MAX_ATTEMPTS_PER_NUMBER_PER_DAY).")
    var maxAttemptsPerNumberPerDay: String?

    @Option(
        parsing: .unconditional,
        help: "Seconds no call goes to a number after an abandoned call (env DIALLER_ABANDONED_HOLD; default 259200, 72 hours).")
    var abandonedHold: String?

    @Option(
        parsing: .unconditional,
        help: "Days after which a lead whose call is finished loses its personal fields; unset keeps them (env DIALLER_RETENTION_DAYS).")
    var retentionDays: String?

    @Option(parsing: .unconditional, help: "Requests per second allowed per key; unset means no limit (env DIALLER_RATE_LIMIT).")
    var rateLimit: String?

    @Option(parsing: .unconditional, help: "Requests a key may burst above its rate (env DIALLER_RATE_BURST; default 100).")
    var rateBurst: String?

    @Option(
        parsing: .unconditional,
        help: "Abandoned-call rate in percent at which /queue/next stops handing out a group's calls, or off (env DIALLER_ABANDON_LIMIT; default 3).")
    var abandonLimit: String?

    @Option(
        parsing: .unconditional,
        help: "Live calls a group needs in 24 hours before the abandoned-call limit applies (env DIALLER_ABANDON_MIN_LIVE; default 100).")
    var abandonMinLive: String?

    @Option(parsing: .unconditional, help: "Key required by /metrics; unset leaves it open (env DIALLER_METRICS_KEY).")
    var metricsKey: String?

    @Option(
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "Proxy whose X-Forwarded-For names the client: an address or a network like 10.0.0.0/8; repeatable or comma-separated (env DIALLER_TRUSTED_PROXY; default none).",
            valueName: "address"))
    var trustedProxy: [String] = []

    @Option(parsing: .unconditional, help: "trace, debug, info, notice, warning, error or critical (env DIALLER_LOG_LEVEL; default info).")
    var logLevel: String?

    @Flag(help: "Write logs as JSON lines instead of text (env DIALLER_JSON_LOGS=1).")
    var jsonLogs = false

    @Flag(help: "Allow webhooks over plain http to hosts other than this machine (env DIALLER_ALLOW_HTTP=1); https is the rule.")
    var allowHTTP = false

    @Option(
        parsing: .unconditional,
        help: "Days delivered webhook events are kept before they are purged (env DIALLER_WEBHOOK_RETENTION_DAYS; default 30).")
    var webhookRetentionDays: String?

    // For tests only (documented in docs/operations.md): retries and timeouts short enough to watch.
    @Option(parsing: .unconditional, help: .hidden) var webhookAttemptTimeout: String?
    @Option(parsing: .unconditional, help: .hidden) var webhookBackoffBase: String?
    @Option(parsing: .unconditional, help: .hidden) var webhookPollEvery: String?

    mutating func validate() throws {
        _ = try settings()
    }

    /// Every option resolved against its environment variable and default, strictly.
    func settings() throws -> ServeSettings {
        var settings = ServeSettings()
        var server = ServerConfiguration()
        server.host = try Setting("--host", env: "DIALLER_HOST", .nonBlank).resolve(host, default: server.host)
        server.port = try Setting("--port", env: "DIALLER_PORT", .integer(0...65_535, "a port number 0-65535")).resolve(port, default: server.port)
        server.promoteEvery = try Setting(
            "--promote-every", env: "DIALLER_PROMOTE_EVERY",
            .number(above: 0, atMost: 3600, "a number of seconds above 0 and at most 3600")
        )
        .resolve(promoteEvery, default: server.promoteEvery)
        server.region = try Setting("--region", env: "DIALLER_REGION", .region).resolve(region, default: server.region)
        settings.maxBatch = try Setting("--max-batch", env: "DIALLER_MAX_BATCH", .integer(1...100_000, "a whole number from 1 to 100000"))
            .resolve(maxBatch, default: settings.maxBatch)
        server.maxBodyBytes = try Setting(
            "--max-body", env: "DIALLER_MAX_BODY", .integer(1024...(64 << 20), "a number of bytes from 1024 to 67108864")
        )
        .resolve(maxBody, default: server.maxBodyBytes)
        server.maxBatchBodyBytes = try Setting(
            "--max-batch-body", env: "DIALLER_MAX_BATCH_BODY",
            .integer(1024...(256 << 20), "a number of bytes from 1024 to 268435456")
        )
        .resolve(maxBatchBody, default: server.maxBatchBodyBytes)
        settings.idempotencyHours = try Setting(
            "--idempotency-hours", env: "DIALLER_IDEMPOTENCY_HOURS",
            .integer(1...8_760, "a number of hours from 1 to 8760")
        )
        .resolve(idempotencyHours, default: settings.idempotencyHours)
        settings.leaseSeconds = try Setting("--lease", env: "DIALLER_LEASE", .integer(1...86_400, "a number of seconds from 1 to 86400"))
            .resolve(lease, default: settings.leaseSeconds)
        settings.contactRules.maxAttemptsPerNumberPerDay = try Setting(
            "--max-attempts-per-number-per-day", env: "DIALLER_MAX_ATTEMPTS_PER_NUMBER_PER_DAY", .integer(1...1_000, "a whole number from 1 to 1000")
        )
        .resolveIfSet(maxAttemptsPerNumberPerDay)
        settings.contactRules.abandonedHoldSeconds = try Setting(
            "--abandoned-hold", env: "DIALLER_ABANDONED_HOLD", .integer(0...31_536_000, "a number of seconds from 0 to 31536000")
        )
        .resolve(abandonedHold, default: settings.contactRules.abandonedHoldSeconds)
        settings.retentionDays = try Setting(
            "--retention-days", env: "DIALLER_RETENTION_DAYS", .integer(1...36_500, "a number of days from 1 to 36500")
        )
        .resolveIfSet(retentionDays)
        server.rateLimit = try Setting(
            "--rate-limit", env: "DIALLER_RATE_LIMIT", .number(above: 0, atMost: 1e9, "a number of requests per second above 0")
        )
        .resolveIfSet(rateLimit)
        server.rateBurst = try Setting("--rate-burst", env: "DIALLER_RATE_BURST", .integer(1...1_000_000, "a whole number from 1 to 1000000"))
            .resolve(rateBurst, default: server.rateBurst)
        server.abandonLimit = try Setting("--abandon-limit", env: "DIALLER_ABANDON_LIMIT", .percentOrOff)
            .resolve(abandonLimit, default: server.abandonLimit)
        server.abandonMinLive = try Setting(
            "--abandon-min-live", env: "DIALLER_ABANDON_MIN_LIVE",
            .integer(1...1_000_000, "a whole number from 1 to 1000000")
        )
        .resolve(abandonMinLive, default: server.abandonMinLive)
        server.metricsKey = try Setting("--metrics-key", env: "DIALLER_METRICS_KEY", .nonBlank).resolveIfSet(metricsKey)
        server.trustedProxies = TrustedProxies(
            try Setting(
                "--trusted-proxy", env: "DIALLER_TRUSTED_PROXY",
                SettingRule(
                    expectation: "an IPv4 or IPv6 address, or a network such as 10.0.0.0/8 or fd00::/8", parse: { AddressRange($0) })
            )
            .resolveList(trustedProxy))
        settings.logLevel = try Setting(
            "--log-level", env: "DIALLER_LOG_LEVEL",
            SettingRule(
                expectation: "one of trace, debug, info, notice, warning, error, critical", parse: Logger.Level.init(rawValue:))
        )
        .resolve(logLevel, default: settings.logLevel)
        settings.jsonLogs = try jsonLogs || Setting("--json-logs", env: "DIALLER_JSON_LOGS", .boolean).resolve(nil, default: false)
        settings.server = server
        settings.webhooks = try webhookSettings()
        return settings
    }
}

extension ServeOptions {
    /// The delivery worker's settings: the documented defaults unless a test shortened them.
    func webhookSettings() throws -> WebhookDeliverySettings {
        var webhooks = WebhookDeliverySettings()
        webhooks.urlPolicy.allowHTTP = try allowHTTP || Setting("--allow-http", env: "DIALLER_ALLOW_HTTP", .boolean).resolve(nil, default: false)
        webhooks.retentionDays = try Setting(
            "--webhook-retention-days", env: "DIALLER_WEBHOOK_RETENTION_DAYS",
            .integer(1...36_500, "a number of days from 1 to 36500")
        )
        .resolve(webhookRetentionDays, default: webhooks.retentionDays)
        let seconds = SettingRule<Double>.number(above: 0, atMost: 3600, "a number of seconds above 0 and at most 3600")
        webhooks.attemptTimeout = try Setting("--webhook-attempt-timeout", seconds).resolve(webhookAttemptTimeout, default: webhooks.attemptTimeout)
        webhooks.backoff.base = try Setting("--webhook-backoff-base", seconds).resolve(webhookBackoffBase, default: webhooks.backoff.base)
        webhooks.pollInterval = try Setting("--webhook-poll-every", seconds).resolve(webhookPollEvery, default: webhooks.pollInterval)
        return webhooks
    }
}

/// `serve`'s settings once checked: what the HTTP side, the store and the logs are given.
struct ServeSettings {
    var server = ServerConfiguration()
    var maxBatch = 512
    var leaseSeconds = 600
    var contactRules = ContactRules()
    var retentionDays: Int?
    var idempotencyHours = 24
    var logLevel = Logger.Level.info
    var jsonLogs = false
    var webhooks = WebhookDeliverySettings()
}
