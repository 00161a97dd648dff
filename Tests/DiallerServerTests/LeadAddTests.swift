import DiallerStore
import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

@Suite struct LeadAddTests {
    @Test func processedLeadIsSavedWithAWaitingCall() async throws {
        try await withServer { (server: TestServer) async throws in
            let reply = try await server.post("/lead/add", leadBody(extra: #","subtype":"valeter","delays":600"#))
            #expect(reply.status == .ok)
            #expect(reply.body == #"{"saved":true,"processed":true}"#)
            #expect(reply.headers[.contentType] == "application/json")
            #expect(
                try await server.scalar("SELECT outcome || ' ' || mobile || ' ' || partner || ' ' || subtype FROM leads_report")
                    == "processed +447840258823 acme valeter")
            #expect(try await server.scalar("SELECT state || ' ' || due_at FROM calls_report") == "waiting 2026-11-25T10:10:00Z")
        }
    }

    @Test func everyOutcomeAnswersWithTheContractsBody() async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(
                try await server.post("/lead/add", leadBody(type: "no-such-type")).body == #"{"saved":true,"processed":false,"error":"Unknown Type"}"#
            )
            #expect(try await server.post("/lead/add", leadBody(type: "retired")).body == #"{"saved":true,"processed":false,"error":"Unknown Type"}"#)
            #expect(try await server.post("/lead/add", leadBody()).body == #"{"saved":true,"processed":true}"#)
            #expect(
                try await server.post("/lead/add", leadBody()).body
                    == #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"#)
            try await server.exec("UPDATE calls SET state = 'done', finished_at = '2026-11-25T10:00:00.000Z'")
            #expect(try await server.post("/lead/add", leadBody()).body == #"{"saved":true,"processed":false,"error":"Existing Contact"}"#)
            try await server.exec("UPDATE calls SET state = 'cancelled'")
            #expect(try await server.post("/lead/add", leadBody()).body == #"{"saved":true,"processed":true}"#)
            let outcomes = try await server.scalar("SELECT group_concat(outcome, ',') FROM (SELECT outcome FROM leads ORDER BY lead_id)")
            #expect(outcomes == "unknown_type,unknown_type,processed,already_scheduled,existing_contact,processed")
        }
    }

    @Test func aPartnerRestrictedToTypesCannotUseOthers() async throws {
        try await withServer { (server: TestServer) async throws in
            let restricted = try await server.store.createKey(role: .partner, name: "vans-only", allowedTypes: ["van-insurance"]).key
            #expect(
                try await server.post("/lead/add", leadBody(type: "motor-trade"), key: restricted).body
                    == #"{"saved":true,"processed":false,"error":"Unknown Type"}"#)
            #expect(try await server.post("/lead/add", leadBody(type: "van-insurance"), key: restricted).body == #"{"saved":true,"processed":true}"#)
        }
    }

    @Test func testModeValidatesAndWritesNothing() async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(try await server.post("/lead/add", leadBody(extra: #","test":true"#)).body == #"{"test":"ok"}"#)
            #expect(try await server.post("/lead/add", leadBody(extra: #","test":"true""#)).body == #"{"test":"ok"}"#)
            let invalid = try await server.post("/lead/add", leadBody(mobile: "123", extra: #","test":true"#))
            #expect(invalid.status == .badRequest)
            #expect(invalid.body == #"{"mobile":{"0":"Mobile is not a valid phone number."}}"#)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
            #expect(try await server.scalar("SELECT count(*) FROM contacts") == "0")
        }
    }

    @Test func numbersInDifferentFormatsAreOneContact() async throws {
        try await withServer { (server: TestServer) async throws in
            let formats = ["07840258823", "07840 258823", "+44 7840 258823", "00447840258823", "(07840) 258-823"]
            for (offset, mobile) in formats.enumerated() {
                let reply = try await server.post("/lead/add", leadBody(mobile: mobile))
                #expect(
                    reply.body
                        == (offset == 0
                            ? #"{"saved":true,"processed":true}"# : #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"#))
            }
            // A whole JSON number is read as its digits.
            let numeric = try await server.post(
                "/lead/add", #"{"first_name":"A","surname":"B","email":"a@b.co","type":"motor-trade","mobile":7840258823}"#)
            #expect(numeric.body == #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"#)
            #expect(try await server.scalar("SELECT group_concat(mobile) FROM contacts") == "+447840258823")
        }
    }

    @Test func concurrentIdenticalSubmissionsProcessExactlyOne() async throws {
        try await withServer { (server: TestServer) async throws in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<24 { group.addTask { try await server.post("/lead/add", leadBody()).body } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(bodies.filter { $0 == #"{"saved":true,"processed":true}"# }.count == 1)
            #expect(bodies.filter { $0 == #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"# }.count == 23)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "24")
        }
    }

    @Test func dataIsStoredAsCompactJSONWhetherStringOrObject() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody(mobile: "07911100001", extra: #","data": "{\"vehicle_make\": \"Ford\", \"n\": 1}""#))
            _ = try await server.post("/lead/add", leadBody(mobile: "07911100002", extra: #","data": {"vehicle_make": "Ford", "n": 1}"#))
            let stored = try await server.store.read { try $0.query("SELECT data FROM leads ORDER BY lead_id") { $0.text(0) } }
            #expect(stored == [#"{"vehicle_make":"Ford","n":1}"#, #"{"vehicle_make":"Ford","n":1}"#])
            let raw = try await server.scalar("SELECT raw_request FROM leads WHERE lead_id = 2")
            #expect(raw == leadBody(mobile: "07911100002", extra: #","data": {"vehicle_make": "Ford", "n": 1}"#))
        }
    }

    @Test func unknownFieldsAreIgnoredButKeptInTheRawRequest() async throws {
        try await withServer { (server: TestServer) async throws in
            let body = leadBody(extra: #","campaign":"spring","source":{"site":"x"}"#)
            #expect(try await server.post("/lead/add", body).body == #"{"saved":true,"processed":true}"#)
            #expect(try await server.scalar("SELECT raw_request FROM leads") == body)
        }
    }

    @Test func stringsAreTrimmedBeforeTheyAreStored() async throws {
        try await withServer { (server: TestServer) async throws in
            let body =
                #"{"first_name":"  John ","surname":"Doe\n","mobile":" 07840258823 ","email":" o'brien@EXAMPLE.CO.UK ","type":" motor-trade "}"#
            #expect(try await server.post("/lead/add", body).body == #"{"saved":true,"processed":true}"#)
            #expect(
                try await server.scalar("SELECT first_name || '|' || surname || '|' || email || '|' || type FROM leads_report")
                    == "John|Doe|o'brien@EXAMPLE.CO.UK|motor-trade")
        }
    }
}
