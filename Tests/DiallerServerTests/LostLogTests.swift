import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The server when whatever reads its log goes away (a log pipeline that died): it loses the log
/// lines, and goes on serving and shuts down cleanly.
@Suite struct LostLogTests {
    @Test func aServerWhoseLogReaderIsGoneKeepsServingAndStopsCleanly() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            // At the default level every request writes an access-log line.
            let server = try ServerProcess(database: setup.db, migrations: setup.migrations)
            defer {
                server.signal(SIGKILL)
                _ = server.waitForExit(seconds: 10)
            }
            try server.closeLog()
            let client = TestClient(host: "127.0.0.1", port: server.port)
            client.connect()
            for _ in 0..<3 {
                let health = try await client.execute(.init("/healthz", method: .get))
                #expect(health.status == .ok)
            }
            let lead = try await client.execute(
                .init(
                    "/lead/add?key=\(setup.key)", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: leadBody(mobile: "07840258823"))))
            #expect(lead.status == .ok)
            #expect(lead.body.map { String(buffer: $0) } == #"{"saved":true,"processed":true}"#)
            try? await client.shutdown()
            // Shutting down logs too.
            server.signal(SIGTERM)
            #expect(server.waitForExit(seconds: 10) == 0)
        }
    }
}
