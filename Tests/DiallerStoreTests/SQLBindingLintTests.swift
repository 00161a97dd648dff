import Foundation
import Testing

/// Every SQL statement is bound, never built by interpolation: a lint over the store's sources.
@Suite struct SQLBindingLintTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// String literals handed to `execute`, `insert`, `query`, `queryFirst` or `statement`, with
    /// interpolations; the literal may start on the line after the parenthesis, as swift-format puts it.
    static func interpolatedSQL(in text: String) -> [String] {
        let pattern = #"(execute|insert|query|queryFirst|statement)\(\s*(script:\s*)?(\"\"\"[\s\S]*?\"\"\"|\"(?:[^\"\\]|\\.)*\")"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            let literal = String(text[Range(match.range(at: 3), in: text)!])
            return literal.contains("\\(") ? literal : nil
        }
    }

    @Test func theLintFindsInterpolation() {
        #expect(Self.interpolatedSQL(in: #"try connection.execute("DELETE FROM leads WHERE id = \(id)")"#).count == 1)
        #expect(Self.interpolatedSQL(in: "try c.query(\"\"\"\nSELECT \\(column) FROM t\n\"\"\") { _ in }").count == 1)
        #expect(Self.interpolatedSQL(in: #"try connection.execute("DELETE FROM leads WHERE id = ?", .integer(id))"#).isEmpty)
    }

    @Test func theLintFindsInterpolationInFormattedCalls() {
        #expect(Self.interpolatedSQL(in: "try insert(\n    \"\"\"\n    INSERT INTO t VALUES (\\(value))\n    \"\"\", .integer(1))").count == 1)
        #expect(Self.interpolatedSQL(in: "try c.execute(\n    script:\n        \"DROP TABLE \\(name)\")").count == 1)
        #expect(Self.interpolatedSQL(in: "try insert(\n    \"\"\"\n    INSERT INTO t VALUES (?)\n    \"\"\", .integer(1))").isEmpty)
    }

    @Test func noSQLInTheSourcesIsInterpolated() throws {
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 20)
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            offenders += Self.interpolatedSQL(in: text).map { "\(file.lastPathComponent): \($0)" }
        }
        #expect(offenders.isEmpty, "SQL built by interpolation: \(offenders)")
    }
}
