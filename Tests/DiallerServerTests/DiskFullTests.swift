import DiallerStore
import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// A full disk, simulated by capping the database at its current size (`PRAGMA max_page_count`,
/// the same SQLITE_FULL a full file system gives): clear errors, nothing acknowledged that was
/// not written, and recovery when space returns.
@Suite struct DiskFullTests {
    @Test func aFullDatabaseAnswers500AndRecovers() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.store.writer.write { connection in
                let pages = try connection.queryFirst("PRAGMA page_count") { $0.int(0) }!
                try connection.execute(script: "PRAGMA max_page_count = \(pages)")
            }
            var acknowledged = 0
            var failure: TestServer.Reply?
            for n in 0..<500 where failure == nil {
                let reply = try await server.post("/lead/add", leadBody(mobile: "0791110\(String(format: "%04d", n))"))
                if reply.status == .ok {
                    #expect(reply.body == #"{"saved":true,"processed":true}"#)
                    acknowledged += 1
                } else {
                    failure = reply
                }
            }
            let full = try #require(failure)
            #expect(full.status == .internalServerError)
            #expect(full.body.hasPrefix(#"{"error":"Internal server error","request_id":""#))
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "\(acknowledged)")
            #expect(try await server.scalar("SELECT count(*) FROM calls") == "\(acknowledged)")
            // Space returns: intake carries on.
            try await server.store.writer.write { try $0.execute(script: "PRAGMA max_page_count = 1073741823") }
            #expect(try await server.post("/lead/add", leadBody(mobile: "07911109999")).body == #"{"saved":true,"processed":true}"#)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "\(acknowledged + 1)")
            #expect(try await server.scalar("PRAGMA integrity_check") == "ok")
        }
    }
}
