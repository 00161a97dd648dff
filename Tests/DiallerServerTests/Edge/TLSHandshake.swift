import Foundation

/// `openssl s_client` handshakes at one protocol version. The client allows every cipher and
/// signature (`@SECLEVEL=0`): OpenSSL 3 refuses TLS 1.0 and 1.1 by itself at its default level,
/// which would make a refusal prove nothing about the server.
struct TLSHandshake {
    let openssl: String

    /// The versions as `s_client` options.
    enum Version: String, CaseIterable, CustomStringConvertible {
        case tlsv10 = "-tls1"
        case tlsv11 = "-tls1_1"
        case tlsv12 = "-tls1_2"
        case tlsv13 = "-tls1_3"

        /// As `s_client` prints it on its `Protocol` line.
        var description: String {
            switch self {
            case .tlsv10: "TLSv1"
            case .tlsv11: "TLSv1.1"
            case .tlsv12: "TLSv1.2"
            case .tlsv13: "TLSv1.3"
            }
        }
    }

    /// The protocol a completed handshake used, or nil when it failed; and s_client's output.
    /// `-brief` prints `Protocol version: …` as soon as the handshake completes; that line, not the
    /// exit status (which a close racing a TLS 1.3 session ticket can spoil), is the answer.
    func attempt(port: Int, _ version: Version) async throws -> (negotiated: String?, output: String) {
        let result = try await ChildProcess.run(
            openssl,
            [
                "s_client", "-brief", "-connect", "127.0.0.1:\(port)", version.rawValue, "-cipher", "DEFAULT@SECLEVEL=0",
            ], seconds: 15)
        let line = result.text.split(separator: "\n").first { $0.hasPrefix("Protocol version:") }
        let negotiated = line.map { $0.dropFirst("Protocol version:".count).trimmingCharacters(in: .whitespaces) }
        return (negotiated, result.text)
    }

    /// `openssl s_server` offering only `version`, at the lowest security level: the control that
    /// shows this client completes such a handshake when the server allows it.
    func permissiveServer(_ version: Version, certificate: SelfSignedCertificate) async throws -> (server: ChildProcess, port: Int) {
        let port = try freeLoopbackPort()
        let server = try ChildProcess(
            openssl,
            [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate.certificate, "-key", certificate.privateKey,
                version.rawValue, "-cipher", "DEFAULT@SECLEVEL=0", "-www",
            ])
        let deadline = Date().addingTimeInterval(5)
        while !server.text.contains("ACCEPT"), server.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard server.text.contains("ACCEPT") else { throw EdgeTestError.notListening("openssl s_server did not start: \(server.text)") }
        return (server, port)
    }
}
