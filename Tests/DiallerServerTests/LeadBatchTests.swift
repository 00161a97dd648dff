import DiallerStore
import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// `POST /lead/batch`: each item decided as `/lead/add` would, in order, all saved leads in one commit.
@Suite struct LeadBatchTests {
    static let processed = #"{"saved":true,"processed":true}"#
    static let scheduled = #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"#

    @Test func itemsAreDecidedInOrderWithMixedValidAndInvalidItems() async throws {
        try await withServer { (server: TestServer) async throws in
            let items = [
                leadBody(),
                leadBody(mobile: "07911100001").replacingOccurrences(of: "john.doe@example.com", with: ""),
                leadBody(),
                leadBody(type: "no-such-type"),
                leadBody(mobile: "07911100002", extra: #","test":true"#),
                "42",
                leadBody(mobile: "07911100003"),
            ]
            let reply = try await server.post("/lead/batch", "[" + items.joined(separator: ",\n ") + "]")
            #expect(reply.status == .ok && reply.headers[.contentType] == "application/json")
            #expect(
                reply.body == #"{"results":["#
                    + #"{"index":0,"status":200,"lead_id":1,"body":\#(Self.processed)},"#
                    + #"{"index":1,"status":400,"body":{"email":{"0":"Email cannot be blank."}}},"#
                    + #"{"index":2,"status":200,"lead_id":2,"body":\#(Self.scheduled)},"#
                    + #"{"index":3,"status":200,"lead_id":3,"body":{"saved":true,"processed":false,"error":"Unknown Type"}},"#
                    + #"{"index":4,"status":200,"body":{"test":"ok"}},"#
                    + #"{"index":5,"status":400,"body":{"body":{"0":"The lead must be a JSON object, not another kind of value."}}},"#
                    + #"{"index":6,"status":200,"lead_id":4,"body":\#(Self.processed)}]}"#)
            #expect(
                try await server.scalar("SELECT group_concat(outcome || ':' || mobile, ',') FROM (SELECT * FROM leads_report ORDER BY lead_id)")
                    == "processed:+447840258823,already_scheduled:+447840258823,unknown_type:+447840258823,processed:+447911100003")
            #expect(try await server.scalar("SELECT raw_request FROM leads WHERE lead_id = 1") == leadBody())
            // All the batch's leads came in one commit (so at one moment).
            #expect(try await server.scalar("SELECT count(DISTINCT received_at) FROM leads") == "1")
        }
    }

    @Test func aBatchAndSingleLeadsDecideAlike() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            let reply = try await server.post("/lead/batch", "[" + leadBody() + "]")
            #expect(reply.body == #"{"results":[{"index":0,"status":200,"lead_id":2,"body":\#(Self.scheduled)}]}"#)
            #expect(try await server.request(.get, "/lead/status?lead_id=2&key=\(server.partnerKey)").status == .ok)
        }
    }

    @Test func bodiesThatAreNotABatchAre400() async throws {
        try await withServer { (server: TestServer) async throws in
            let notArray = try await server.post("/lead/batch", leadBody())
            #expect(
                notArray.status == .badRequest
                    && notArray.body == #"{"body":{"0":"The body must be a JSON array of leads (or CSV, sent as text/csv)."}}"#)
            let empty = try await server.post("/lead/batch", " [ ] ")
            #expect(empty.status == .badRequest && empty.body == #"{"body":{"0":"The batch has no leads."}}"#)
            let broken = try await server.post("/lead/batch", "[" + leadBody())
            #expect(broken.status == .badRequest && broken.body.hasPrefix(#"{"body":{"0":"Syntax error at line 1, column"#))
            let tooMany = try await server.post("/lead/batch", "[" + Array(repeating: "{}", count: 1_001).joined(separator: ",") + "]")
            #expect(
                tooMany.status == .badRequest
                    && tooMany.body == #"{"body":{"0":"The batch has more than 1000 leads; send at most 1000 at once."}}"#)
            let most = try await server.post("/lead/batch", "[" + Array(repeating: "{}", count: 1_000).joined(separator: ",") + "]")
            #expect(
                most.status == .ok
                    && most.body.hasSuffix(
                        #"{"index":999,"status":400,"body":{"email":{"0":"Email cannot be blank."},"first_name":{"0":"First Name cannot be blank."},"surname":{"0":"Surname cannot be blank."},"mobile":{"0":"Mobile cannot be blank."},"type":{"0":"Type cannot be blank."}}}]}"#
                    ))
            #expect(try await server.post("/lead/batch", "[" + leadBody() + "]", key: server.diallerKey).status == .unauthorized)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
        }
    }

    @Test func aBodyOverTheBatchLimitIs413() async throws {
        try await withServer(configure: { $0.maxBatchBodyBytes = 4_096 }) { (server: TestServer) async throws in
            let items = (0..<40).map { leadBody(mobile: String(format: "0791110%04d", $0)) }
            let body = "[" + items.joined(separator: ",") + "]"
            #expect(body.utf8.count > 4_096)
            let reply = try await server.post("/lead/batch", body)
            #expect(reply.status == .contentTooLarge && reply.body == #"{"body":{"0":"The request body is larger than the limit of 4096 bytes."}}"#)
            #expect(try await server.post("/lead/batch", "[" + items.prefix(20).joined(separator: ",") + "]").status == .ok)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "20")
        }
    }

    @Test func theDefaultBatchLimitTakesAThousandLeads() async throws {
        try await withServer { (server: TestServer) async throws in
            let items = (0..<1_000).map {
                leadBody(mobile: String(format: "0791110%04d", $0), extra: #","data":{"note":"\#(String(repeating: "x", count: 200))"}"#)
            }
            let body = "[" + items.joined(separator: ",") + "]"
            #expect(body.utf8.count > 65_536)  // far over /lead/add's own limit
            let reply = try await server.post("/lead/batch", body)
            #expect(reply.status == .ok)
            #expect(try await server.scalar("SELECT count(*) FROM calls") == "1000")
        }
    }

    @Test func aSpreadsheetsCSVWithBOMCRLFAndQuotingIsRead() async throws {
        try await withServer { (server: TestServer) async throws in
            let csv =
                "\u{FEFF}first_name,surname,mobile,email,type,subtype,data\r\n"
                + "\"Doe, \"\"Jr\"\"\",O'Brien,07840 258823,john.doe@example.com,motor-trade,,\"{\"\"make\"\":\"\"Ford\"\"}\"\r\n"
                + "\"Line\r\nBreak\",Smith,07911100001,,motor-trade,valeter,\r\n"
                + "Ann,Lee,+447840258823,ann@example.com,motor-trade,,\r\n"
                + "\r\n"
            let reply = try await server.post("/lead/batch", csv, idempotencyKey: "nightly-file", contentType: "text/csv; charset=utf-8")
            #expect(
                reply.body == #"{"results":["#
                    + #"{"index":0,"status":200,"lead_id":1,"body":\#(Self.processed)},"#
                    + #"{"index":1,"status":400,"body":{"email":{"0":"Email cannot be blank."}}},"#
                    + #"{"index":2,"status":200,"lead_id":2,"body":\#(Self.scheduled)}]}"#)
            #expect(try await server.scalar("SELECT first_name || '|' || surname FROM leads WHERE lead_id = 1") == #"Doe, "Jr"|O'Brien"#)
            #expect(try await server.scalar("SELECT data FROM leads WHERE lead_id = 1") == #"{"make":"Ford"}"#)
            #expect(
                try await server.scalar("SELECT raw_request FROM leads WHERE lead_id = 2")
                    == #"{"first_name":"Ann","surname":"Lee","mobile":"+447840258823","email":"ann@example.com","type":"motor-trade"}"#)
            // A CSV batch is replayed like any other.
            let again = try await server.post("/lead/batch", csv, idempotencyKey: "nightly-file", contentType: "text/csv")
            #expect(again.body == reply.body && again.headers[.idempotentReplayed] == "true" && again.headers[.xLeadID] == nil)
            #expect(try await server.scalar("SELECT lead_ids FROM idempotency_keys") == "1,2")
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "2")
        }
    }

    @Test func aCSVWithoutRowsOrInvalidUTF8Is400() async throws {
        try await withServer { (server: TestServer) async throws in
            for csv in ["", "first_name,surname,mobile,email,type\r\n"] {
                let reply = try await server.request(.post, "/lead/batch?key=\(server.partnerKey)", body: csv, headers: [.contentType: "text/csv"])
                #expect(reply.status == .badRequest && reply.body.hasPrefix(#"{"body":{"0":"The "#), "\(reply.body)")
            }
            let bytes: [UInt8] =
                Array("first_name,surname,mobile,email,type\r\nJ".utf8) + [0xFF, 0xFE] + Array(",D,07840258823,a@b.co,motor-trade\r\n".utf8)
            let response = try await server.client.execute(
                uri: "/lead/batch?key=\(server.partnerKey)", method: .post,
                headers: [.contentType: "text/csv"], body: ByteBuffer(bytes: bytes))
            #expect(response.status == .badRequest && String(buffer: response.body) == #"{"body":{"0":"The CSV is not valid UTF-8."}}"#)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
        }
    }

    @Test func anIdempotentBatchIsReplayedAnd422WithAnotherBody() async throws {
        try await withServer { (server: TestServer) async throws in
            let body = "[" + leadBody() + "," + leadBody(mobile: "07911100001") + "]"
            let first = try await server.post("/lead/batch", body, idempotencyKey: "b-1")
            let again = try await server.post("/lead/batch", body, idempotencyKey: "b-1")
            #expect(again.body == first.body && again.headers[.idempotentReplayed] == "true")
            #expect(try await server.post("/lead/batch", "[" + leadBody() + "]", idempotencyKey: "b-1").status == .unprocessableContent)
            #expect(try await server.post("/lead/batch", "[]", idempotencyKey: "b-2").status == .badRequest)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "2")
        }
    }

    @Test func aBatchWhoseCommitFailsAnswers500AndSavesNothing() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.store.writer.write { connection in
                let pages = try connection.queryFirst("PRAGMA page_count") { $0.int(0) }!
                try connection.execute(script: "PRAGMA max_page_count = \(pages)")
            }
            let items = (0..<500).map { leadBody(mobile: String(format: "0791110%04d", $0)) }
            let reply = try await server.post("/lead/batch", "[" + items.joined(separator: ",") + "]", idempotencyKey: "full")
            #expect(reply.status == .internalServerError)
            #expect(reply.body.hasPrefix(#"{"error":"Internal server error","request_id":""#))
            for table in ["leads", "calls", "contacts", "idempotency_keys"] {
                #expect(try await server.scalar("SELECT count(*) FROM \(table)") == "0", "\(table)")
            }
            // Space returns: the same batch, retried with its key, is saved whole.
            try await server.store.writer.write { try $0.execute(script: "PRAGMA max_page_count = 1073741823") }
            let retried = try await server.post("/lead/batch", "[" + items.joined(separator: ",") + "]", idempotencyKey: "full")
            #expect(retried.status == .ok && retried.headers[.idempotentReplayed] == nil)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "500")
        }
    }
}
