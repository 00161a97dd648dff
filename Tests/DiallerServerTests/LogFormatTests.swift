import DiallerStore
import Foundation
import LeadIntake
import Logging
import Testing

@testable import DiallerServer

@Suite struct LogFormatTests {
    @Test func jsonLinesCarryTimeLevelMessageAndMetadataEscaped() throws {
        let handler = JSONLogHandler(label: "dialler", logLevel: .info, metadata: ["hb.request.id": "abc"])
        let line = handler.render(
            event: LogEvent(
                level: .info, message: "request", metadata: ["route": "/lead/add", "note": "a \"quoted\"\nline"],
                source: "test", file: #fileID, function: #function, line: #line))
        #expect(line.hasSuffix("\n"))
        guard case .object(let object) = try JSONParser.parse(Array(line.utf8)) else {
            Issue.record("not a JSON object: \(line)")
            return
        }
        #expect(object["level"] == .string("info"))
        #expect(object["message"] == .string("request"))
        #expect(object["route"] == .string("/lead/add"))
        #expect(object["hb.request.id"] == .string("abc"))
        #expect(object["note"] == .string("a \"quoted\"\nline"))
        guard case .string(let time)? = object["time"] else {
            Issue.record("no time")
            return
        }
        #expect(time.hasSuffix("Z") && time.count == 24)
    }
}

@Suite struct TextLogFormatTests {
    @Test func textLinesCarryTimeLevelLabelMessageAndSortedMetadata() {
        let handler = TextLogHandler(label: "dialler", logLevel: .info, metadata: ["hb.request.id": "abc"])
        let line = handler.render(
            event: LogEvent(
                level: .warning, message: "database busy", metadata: ["route": "/lead/add"],
                source: "test", file: #fileID, function: #function, line: #line))
        let time = String(line.prefix(24))
        #expect(time.hasSuffix("Z") && Timestamp(iso8601: time) != nil)
        #expect(line.dropFirst(24) == " warning dialler: database busy hb.request.id=abc route=/lead/add\n")
    }
}
