import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

#if canImport(Glibc)
import Glibc
#endif

/// The access log's `client=`: the peer, or what a trusted proxy's `X-Forwarded-For` says.
@Suite struct AccessLogClientTests {
    /// The `client=` of the last request line.
    static func loggedClient(_ server: TestServer) -> String? {
        server.logs.all.last { $0.contains(" request ") }?
            .split(separator: " ").first { $0.hasPrefix("client=") }.map { String($0.dropFirst("client=".count)) }
    }

    @Test func withoutATrustedProxyThePeerIsTheClient() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.request(.get, "/healthz", headers: [.xForwardedFor: "203.0.113.7"])
            #expect(Self.loggedClient(server) == "127.0.0.1")
        }
    }

    @Test func aTrustedPeerForwardsTheClient() async throws {
        let trusted = try #require(AddressRange("127.0.0.0/8"))
        try await withServer(configure: { $0.trustedProxies = TrustedProxies([trusted]) }) { (server: TestServer) async throws in
            _ = try await server.request(.get, "/healthz", headers: [.xForwardedFor: "6.6.6.6, 203.0.113.7"])
            #expect(Self.loggedClient(server) == "203.0.113.7")
            _ = try await server.request(.get, "/healthz", headers: [.xForwardedFor: "not an address"])
            #expect(Self.loggedClient(server) == "127.0.0.1")
            _ = try await server.request(.get, "/healthz")
            #expect(Self.loggedClient(server) == "127.0.0.1")
            _ = try await server.post("/lead/add", leadBody(), key: "nope")
            #expect(Self.loggedClient(server) == "127.0.0.1")
        }
    }

    @Test func theOptionIsRepeatableAndCommaSeparated() throws {
        let options = try ServeOptions.parse(["--trusted-proxy", "127.0.0.1, ::1", "--trusted-proxy", "10.0.0.0/8"])
        #expect(try options.settings().server.trustedProxies.ranges.map(\.description) == ["127.0.0.1", "::1", "10.0.0.0/8"])
        #expect(try ServeOptions.parse([]).settings().server.trustedProxies.isEmpty)
    }

    @Test func theEnvironmentVariableTrustsTheServersPeer() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            let server = try ServerProcess(database: setup.db, migrations: setup.migrations, environment: ["DIALLER_TRUSTED_PROXY": "127.0.0.1"])
            defer {
                server.signal(SIGTERM)
                _ = server.waitForExit(seconds: 10)
            }
            let connection = try RawConnection(port: server.port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n")
            #expect(connection.receive(waitingUpTo: 5).text.hasPrefix("HTTP/1.1 200"))
            for _ in 0..<250 where !server.output.contains(" request ") { usleep(20_000) }
            #expect(server.output.contains("client=203.0.113.7 "), "\(server.output)")
        }
    }
}
