import ArgumentParser
import Logging

/// The options of `serve` (and `demo`), each also read from an environment variable.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to listen on (env DIALLER_HOST).")
    var host = EnvironmentDefault.string("DIALLER_HOST", "127.0.0.1")

    @Option(help: "Port to listen on; 0 picks a free one (env DIALLER_PORT).")
    var port = EnvironmentDefault.int("DIALLER_PORT", 8080)

    @Option(help: "Seconds between promotion ticks, fractions allowed (env DIALLER_PROMOTE_EVERY).")
    var promoteEvery = EnvironmentDefault.double("DIALLER_PROMOTE_EVERY", 1)

    @Option(help: "Region for numbers written without a country code (env DIALLER_REGION).")
    var region = EnvironmentDefault.string("DIALLER_REGION", "GB")

    @Option(help: "Most writes per commit; 1 turns group commit off (env DIALLER_MAX_BATCH).")
    var maxBatch = EnvironmentDefault.int("DIALLER_MAX_BATCH", 512)

    @Option(help: "Largest request body in bytes (env DIALLER_MAX_BODY).")
    var maxBody = EnvironmentDefault.int("DIALLER_MAX_BODY", 65_536)

    @Option(help: "Seconds a dialler may hold a claimed call before it is queued again (env DIALLER_LEASE).")
    var lease = EnvironmentDefault.int("DIALLER_LEASE", 600)

    @Option(help: "Requests per second allowed per key; unset means no limit (env DIALLER_RATE_LIMIT).")
    var rateLimit: Double?

    @Option(help: "Requests a key may burst above its rate (env DIALLER_RATE_BURST).")
    var rateBurst = EnvironmentDefault.int("DIALLER_RATE_BURST", 100)

    @Option(help: "Key required by /metrics; unset leaves it open (env DIALLER_METRICS_KEY).")
    var metricsKey: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env DIALLER_LOG_LEVEL).")
    var logLevel = EnvironmentDefault.string("DIALLER_LOG_LEVEL", "info")

    @Flag(help: "Write logs as JSON lines instead of text.")
    var jsonLogs = EnvironmentDefault.optional("DIALLER_JSON_LOGS") == "1"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard promoteEvery > 0, promoteEvery <= 3600 else { throw ValidationError("--promote-every must be above 0 and at most 3600 seconds") }
        guard region.count == 2, region.allSatisfy(\.isUppercase) else { throw ValidationError("--region must be two capital letters, like GB") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024 bytes") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
        if let rateLimit, rateLimit <= 0 { throw ValidationError("--rate-limit must be above 0") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    var serverConfiguration: ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.region = region
        configuration.maxBodyBytes = maxBody
        configuration.promoteEvery = promoteEvery
        configuration.rateLimit = rateLimit ?? EnvironmentDefault.optional("DIALLER_RATE_LIMIT").flatMap(Double.init)
        configuration.rateBurst = rateBurst
        configuration.metricsKey = metricsKey ?? EnvironmentDefault.optional("DIALLER_METRICS_KEY")
        return configuration
    }
}
