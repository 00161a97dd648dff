import DiallerStore
import Foundation
import LeadIntake
import Logging

/// One JSON object per line on standard error: time, level, message and metadata.
struct JSONLogHandler: LineLogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    func render(event: LogEvent) -> String {
        var line =
            "{\"time\":" + JSONWriter.quoted(Timestamp(Date()).iso8601) + ",\"level\":" + JSONWriter.quoted(event.level.rawValue)
            + ",\"message\":" + JSONWriter.quoted("\(event.message)")
        for (key, value) in fields(of: event) { line += "," + JSONWriter.quoted(key) + ":" + JSONWriter.quoted(value) }
        return line + "}\n"
    }
}
