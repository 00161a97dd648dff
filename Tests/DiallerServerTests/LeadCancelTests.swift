import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

@Suite struct LeadCancelTests {
    static let cancelBody = #"{"mobile":"07840258823","type":"motor-trade"}"#

    @Test func cancelAnswersEachOutcome() async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(try await server.post("/lead/cancel", Self.cancelBody).body == #"{"cancelled":false,"warning":"not found"}"#)
            _ = try await server.post("/lead/add", leadBody(extra: #","delays":600"#))
            #expect(
                try await server.post("/lead/cancel", #"{"mobile":"+44 7840 258823","type":"motor-trade","test":true}"#).body
                    == #"{"cancelled":true}"#)
            #expect(try await server.scalar("SELECT state FROM calls_report") == "cancelled")
            #expect(try await server.post("/lead/cancel", Self.cancelBody).body == #"{"cancelled":false,"warning":"already processed"}"#)
        }
    }

    @Test func aQueuedCallLeavesTheQueueAndADiallingOneCannotBeCancelled() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            _ = try await server.post("/lead/add", leadBody(mobile: "07911100001"))
            server.clock.advance(seconds: 1)
            await server.worker.promoteNow()
            #expect(try await server.scalar("SELECT count(*) FROM queue_report") == "2")
            #expect(try await server.post("/lead/cancel", Self.cancelBody).body == #"{"cancelled":true}"#)
            #expect(try await server.scalar("SELECT count(*) FROM queue_report") == "1")
            _ = try await server.post("/queue/next", "", key: server.diallerKey)
            #expect(
                try await server.post("/lead/cancel", #"{"mobile":"07911100001","type":"motor-trade"}"#).body
                    == #"{"cancelled":false,"warning":"already processed"}"#)
        }
    }

    @Test func anotherPartnersLeadIsNotFound() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            let reply = try await server.post("/lead/cancel", Self.cancelBody, key: server.otherPartnerKey)
            #expect(reply.body == #"{"cancelled":false,"warning":"not found"}"#)
            #expect(try await server.scalar("SELECT state FROM calls") == "queued")
            #expect(try await server.scalar("SELECT count(*) FROM queue_report") == "1")
        }
    }

    @Test func cancelValidatesTypeAndMobile() async throws {
        try await withServer { (server: TestServer) async throws in
            let blank = try await server.post("/lead/cancel", "{}")
            #expect(blank.status == .badRequest)
            #expect(blank.body == #"{"mobile":{"0":"Mobile cannot be blank."},"type":{"0":"Type cannot be blank."}}"#)
            let invalid = try await server.post("/lead/cancel", #"{"mobile":"12","type":7}"#)
            #expect(invalid.body == #"{"mobile":{"0":"Mobile is not a valid phone number."},"type":{"0":"Type must be a string."}}"#)
        }
    }

    @Test func failuresAnswerWithTheContractsWarnings() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            server.clock.advance(seconds: 1)
            await server.worker.promoteNow()
            try await server.exec("CREATE TRIGGER jam BEFORE DELETE ON call_queue BEGIN SELECT RAISE(ABORT, 'queue jammed'); END;")
            let callGroup = try await server.post("/lead/cancel", Self.cancelBody)
            #expect(callGroup.status == .internalServerError)
            #expect(callGroup.body == #"{"cancelled":false,"warning":"server error (call group)"}"#)
            try await server.exec(
                "DROP TRIGGER jam; CREATE TRIGGER jam BEFORE UPDATE OF state ON calls BEGIN SELECT RAISE(ABORT, 'cannot save'); END;")
            let save = try await server.post("/lead/cancel", Self.cancelBody)
            #expect(save.status == .internalServerError)
            #expect(save.body == #"{"cancelled":false,"warning":"server error (save)"}"#)
            try await server.exec("DROP TRIGGER jam")
            #expect(try await server.scalar("SELECT state FROM calls") == "queued")
            #expect(try await server.scalar("SELECT count(*) FROM queue_report") == "1")
            #expect(try await server.post("/lead/cancel", Self.cancelBody).body == #"{"cancelled":true}"#)
        }
    }
}
