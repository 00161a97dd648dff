import DiallerStore
import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// `X-Lead-Id` on every `/lead/add` answer that saved a lead, whatever its outcome; none otherwise.
@Suite struct LeadIdTests {
    @Test func everySavedOutcomeCarriesTheLeadsId() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/optout", #"{"mobile":"07911100009"}"#)
            let replies = [
                try await server.post("/lead/add", leadBody()),  // processed
                try await server.post("/lead/add", leadBody()),  // already scheduled
                try await server.post("/lead/add", leadBody(type: "no-such-type")),  // unknown type
                try await server.post("/lead/add", leadBody(mobile: "07911100009")),  // suppressed
            ]
            try await server.exec("UPDATE calls SET state = 'done', finished_at = '2026-11-25T10:00:00.000Z'")
            let existing = try await server.post("/lead/add", leadBody())
            let all = replies + [existing]
            #expect(
                all.map(\.body) == [
                    LeadRoutes.body(for: .processed), LeadRoutes.body(for: .alreadyScheduled), LeadRoutes.body(for: .unknownType),
                    LeadRoutes.body(for: .suppressed), LeadRoutes.body(for: .existingContact),
                ])
            let ids = try await server.store.read { try $0.query("SELECT lead_id FROM leads_report ORDER BY lead_id") { String($0.int64(0)) } }
            #expect(all.map { $0.headers[.xLeadID] } == ids.map(Optional.some))
            #expect(ids == ["1", "2", "3", "4", "5"])
        }
    }

    @Test func testModeAndInvalidLeadsCarryNone() async throws {
        try await withServer { (server: TestServer) async throws in
            let test = try await server.post("/lead/add", leadBody(extra: #","test":true"#))
            #expect(test.body == #"{"test":"ok"}"# && test.headers[.xLeadID] == nil)
            let invalid = try await server.post("/lead/add", leadBody(mobile: "123"))
            #expect(invalid.status == .badRequest && invalid.headers[.xLeadID] == nil)
            let malformed = try await server.post("/lead/add", "{")
            #expect(malformed.status == .badRequest && malformed.headers[.xLeadID] == nil)
        }
    }
}
