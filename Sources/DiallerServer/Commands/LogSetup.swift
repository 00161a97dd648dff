import Logging

/// Bootstraps swift-log once: human-readable lines by default, JSON lines on request.
enum LogSetup {
    static func bootstrap(level: String, json: Bool) {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
