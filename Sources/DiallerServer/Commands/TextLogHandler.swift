import DiallerStore
import Foundation
import Logging

/// Human-readable log lines on standard error: `time level label: message key=value ...`.
///
/// Unlike swift-log's `StreamLogHandler`, it formats metadata only when a line is written:
/// Hummingbird sets the request id on every request's logger, and `StreamLogHandler` rebuilds its
/// metadata string on each such set (measured with perf: ~5 % of the server's CPU at `--log-level
/// warning`, where nothing is written).
struct TextLogHandler: LogHandler {
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

    /// The event as one line: the handler's metadata and the event's, sorted by key.
    func render(event: LogEvent) -> String {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = Timestamp(Date()).iso8601 + " " + event.level.rawValue + " " + label + ": " + "\(event.message)"
        for key in fields.keys.sorted() {
            line += " " + key + "=" + "\(fields[key]!)"
        }
        return line + "\n"
    }
}
