import Foundation
import DiallerStore
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

/// One JSON object per line on standard error: time, level, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        FileHandle.standardError.write(Data(render(event: event).utf8))
    }

    /// The event as one JSON object and a newline.
    func render(event: LogEvent) -> String {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = "{\"time\":" + JSONWriter.quoted(Timestamp(Date()).iso8601) + ",\"level\":" + JSONWriter.quoted(event.level.rawValue)
            + ",\"message\":" + JSONWriter.quoted("\(event.message)")
        for key in fields.keys.sorted() {
            line += "," + JSONWriter.quoted(key) + ":" + JSONWriter.quoted("\(fields[key]!)")
        }
        return line + "}\n"
    }
}
