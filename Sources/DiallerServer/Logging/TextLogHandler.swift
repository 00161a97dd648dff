import DiallerStore
import Foundation
import Logging

/// Human-readable log lines on standard error: `time level label: message key=value ...`.
///
/// Unlike swift-log's `StreamLogHandler`, it formats metadata only when a line is written:
/// Hummingbird sets the request id on every request's logger, and `StreamLogHandler` rebuilds its
/// metadata string on each such set (measured with perf: ~5 % of the server's CPU at `--log-level
/// warning`, where nothing is written).
struct TextLogHandler: LineLogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    func render(event: LogEvent) -> String {
        var line = Timestamp(Date()).iso8601 + " " + event.level.rawValue + " " + label + ": " + "\(event.message)"
        for (key, value) in fields(of: event) { line += " " + key + "=" + value }
        return line + "\n"
    }
}
