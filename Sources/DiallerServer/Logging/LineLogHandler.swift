import Foundation
import Logging

/// A log handler that writes each event as one line on standard error; conformers only render.
protocol LineLogHandler: LogHandler {
    /// The event as one line, newline included.
    func render(event: LogEvent) -> String
}

extension LineLogHandler {
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        StandardStream.error.write(render(event: event))
    }

    /// The handler's metadata and the event's (the event's win), sorted by key.
    func fields(of event: LogEvent) -> [(key: String, value: String)] {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        return fields.keys.sorted().map { ($0, "\(fields[$0]!)") }
    }
}
