import Foundation

/// One HTTP response as curl received it.
struct CurlReply: CustomStringConvertible {
    let status: Int
    /// Header lines in order, names lower-cased.
    let headers: [(name: String, value: String)]
    let body: String

    func header(_ name: String) -> String? { headers.first { $0.name == name.lowercased() }?.value }

    var description: String { "\(status) \(headers.map { "\($0.name): \($0.value)" }) \(body)" }

    /// `curl -i` output: the status line, headers, a blank line, the body.
    init?(included text: Substring) {
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/"),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        self.status = status
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        body = String(text[end.upperBound...])
    }
}

/// curl as a partner's client: real TLS against the test certificate, from a chosen loopback
/// address when asked (`--interface`), no `Expect: 100-continue` so every reply is one response.
struct Curl {
    let curl: String
    var caFile: String?

    /// Every reply to `arguments` (curl may be given several URLs, or a `[1-N]` range), in order.
    func replies(_ arguments: [String], from source: String? = nil, body: String? = nil) async throws -> [CurlReply] {
        var options = ["-sS", "-i", "--max-time", "20", "-H", "Expect:", "-w", "\n\u{1}\n"]
        if let caFile { options += ["--cacert", caFile] }
        if let source { options += ["--interface", source] }
        var bodyFile: String?
        if let body {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("curl-body-\(UUID().uuidString)").path
            try body.write(toFile: path, atomically: true, encoding: .utf8)
            bodyFile = path
            options += ["--data-binary", "@" + path]
        }
        defer { if let bodyFile { try? FileManager.default.removeItem(atPath: bodyFile) } }
        let result = try await ChildProcess.run(curl, options + arguments, seconds: 60)
        guard result.status == 0 else { throw EdgeTestError.toolFailed("curl \(arguments) failed (\(result.status)): \(result.text)") }
        let replies = result.text.components(separatedBy: "\n\u{1}\n").dropLast().compactMap { CurlReply(included: Substring($0)) }
        return replies
    }

    /// One request; headers as `Name: value` lines.
    func request(_ method: String, _ url: String, body: String? = nil, headers: [String] = [], from source: String? = nil) async throws -> CurlReply {
        let arguments = ["-X", method] + headers.flatMap { ["-H", $0] } + [url]
        guard let reply = try await replies(arguments, from: source, body: body).first else {
            throw EdgeTestError.toolFailed("curl \(method) \(url): no response")
        }
        return reply
    }
}
