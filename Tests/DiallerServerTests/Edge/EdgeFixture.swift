import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A temporary folder holding a database with a lead type and a partner key, a self-signed
/// certificate, the real `dialler-server serve` as a process and nginx in front of it.
final class EdgeFixture {
    let folder: String
    let key: String
    let tools: (nginx: String, openssl: String, curl: String)
    let certificate: SelfSignedCertificate
    let server: ServerProcess
    let edge: NginxEdge
    /// curl trusting the test certificate.
    let curl: Curl

    init(serverArguments: [String]) async throws {
        tools = try EdgeTools.require()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialler-edge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let setup = try CrashSafetyTests.prepare(folder)
        key = setup.key
        certificate = try await SelfSignedCertificate(in: folder, openssl: tools.openssl)
        server = try ServerProcess(database: setup.db, migrations: setup.migrations, extraArguments: serverArguments)
        edge = try await NginxEdge(upstreamPort: server.port, directory: folder + "/nginx", certificate: certificate, nginx: tools.nginx)
        curl = Curl(curl: tools.curl, caFile: certificate.certificate)
    }

    deinit {
        server.signal(SIGTERM)
        if server.waitForExit(seconds: 10) == nil { server.signal(SIGKILL) }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The edge's HTTPS origin, as partners would use it.
    var https: String { "https://127.0.0.1:\(edge.httpsPort)" }
    /// The edge's plain-HTTP origin, which only redirects.
    var http: String { "http://127.0.0.1:\(edge.httpPort)" }
    /// The server itself, bypassing the edge.
    var direct: String { "http://127.0.0.1:\(server.port)" }

    /// The server's access-log lines (`request` at info level).
    var serverRequestLines: [String] { server.output.split(separator: "\n").map(String.init).filter { $0.contains(": request ") } }
}

/// Runs `body` with a fresh edge and server, and always stops both and removes the folder.
func withEdge(serverArguments: [String] = [], _ body: (EdgeFixture) async throws -> Void) async throws {
    let fixture = try await EdgeFixture(serverArguments: serverArguments)
    try await body(fixture)
    withExtendedLifetime(fixture) {}
}
