import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

@Suite struct QueueAPITests {
    /// The whole life of a lead, through the real server: waiting, queued, claimed, finished, then an Existing Contact.
    @Test func aLeadTravelsFromIntakeToExistingContact() async throws {
        try await withServer { (server: TestServer) async throws in
            let body = leadBody(extra: #","subtype":"valeter","other_phone":"020 7946 0018","delays":600,"data":"{\"vehicle_make\":\"Ford\"}""#)
            #expect(try await server.post("/lead/add", body).body == #"{"saved":true,"processed":true}"#)
            #expect(try await server.scalar("SELECT state || ' ' || due_at FROM calls_report") == "waiting 2026-11-25T10:10:00Z")
            #expect(try await server.post("/queue/next", "", key: server.diallerKey).status == .noContent)

            server.clock.advance(seconds: 600)
            await server.worker.promoteNow()
            #expect(
                try await server.scalar("SELECT call_group || ' ' || mobile || ' ' || type || ' ' || due_at FROM queue_report")
                    == "motor-trade +447840258823 motor-trade 2026-11-25T10:10:00Z")

            let claim = try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey)
            #expect(claim.status == .ok)
            #expect(
                claim.body
                    == #"{"call_id":1,"lead_id":1,"mobile":"+447840258823","other_phone":"+442079460018","first_name":"John","surname":"Doe","email":"john.doe@example.com","type":"motor-trade","subtype":"valeter","call_group":"motor-trade","data":{"vehicle_make":"Ford"},"attempt":1,"lease_expires_at":"2026-11-25T10:20:00.000Z"}"#
            )
            #expect(try await server.scalar("SELECT state FROM calls_report") == "dialling")
            #expect(try await server.scalar("SELECT count(*) FROM queue_report") == "0")

            server.clock.advance(seconds: 120)
            let result = try await server.post("/queue/result", #"{"call_id":1,"outcome":"sale"}"#, key: server.diallerKey)
            #expect(result.body == #"{"call_id":1,"state":"done"}"#)
            #expect(
                try await server.scalar("SELECT state || ' ' || outcome || ' ' || finished_at FROM calls_report") == "done sale 2026-11-25T10:12:00Z")
            #expect(try await server.post("/lead/add", leadBody()).body == #"{"saved":true,"processed":false,"error":"Existing Contact"}"#)
        }
    }

    @Test func aRetryWaitsAgainAndOtherGroupsAreLeftAlone() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("INSERT INTO lead_types(name) VALUES ('home')")
            _ = try await server.post("/lead/add", leadBody(type: "home"))
            server.clock.advance(seconds: 1)
            await server.worker.promoteNow()
            #expect(try await server.post("/queue/next", #"{"call_group":"motor-trade"}"#, key: server.diallerKey).status == .noContent)
            let claim = try await server.post("/queue/next", "{}", key: server.diallerKey)
            #expect(claim.status == .ok)
            let retry = try await server.post("/queue/result", #"{"call_id":1,"outcome":"no answer","retry_in":"3600"}"#, key: server.diallerKey)
            #expect(retry.body == #"{"call_id":1,"state":"waiting","due_at":"2026-11-25T11:00:01Z"}"#)
            #expect(try await server.scalar("SELECT state || ' ' || due_at FROM calls_report") == "waiting 2026-11-25T11:00:01Z")
        }
    }

    @Test func resultErrors() async throws {
        try await withServer { (server: TestServer) async throws in
            let unknown = try await server.post("/queue/result", #"{"call_id":42,"outcome":"sale"}"#, key: server.diallerKey)
            #expect(unknown.status == .notFound)
            #expect(unknown.body == #"{"error":"Call not found"}"#)
            _ = try await server.post("/lead/add", leadBody())
            let notDialling = try await server.post("/queue/result", #"{"call_id":1,"outcome":"sale"}"#, key: server.diallerKey)
            #expect(notDialling.status == .conflict)
            #expect(notDialling.body == #"{"error":"Call is not being dialled","state":"queued"}"#)
            let invalid = try await server.post("/queue/result", #"{"call_id":"one","retry_in":-5}"#, key: server.diallerKey)
            #expect(invalid.status == .badRequest)
            #expect(
                invalid.body
                    == #"{"call_id":{"0":"Call Id must be an integer."},"outcome":{"0":"Outcome cannot be blank."},"retry_in":{"0":"Retry In must be no less than 0."}}"#
            )
            let missing = try await server.post("/queue/result", "{}", key: server.diallerKey)
            #expect(missing.body == #"{"call_id":{"0":"Call Id cannot be blank."},"outcome":{"0":"Outcome cannot be blank."}}"#)
            let badGroup = try await server.post("/queue/next", #"{"call_group":5}"#, key: server.diallerKey)
            #expect(badGroup.body == #"{"call_group":{"0":"Call Group must be a string."}}"#)
        }
    }

    @Test func severalDiallersNeverGetTheSameCall() async throws {
        try await withServer { (server: TestServer) async throws in
            for n in 0..<20 { _ = try await server.post("/lead/add", leadBody(mobile: "079111000\(String(format: "%02d", n))")) }
            server.clock.advance(seconds: 1)
            await server.worker.promoteNow()
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<30 { group.addTask { try await server.post("/queue/next", "", key: server.diallerKey).body } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let claimed = bodies.filter { !$0.isEmpty }
            #expect(claimed.count == 20)
            #expect(Set(claimed).count == 20)
        }
    }
}
