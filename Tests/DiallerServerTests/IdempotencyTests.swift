import DiallerStore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import DiallerServer

#if canImport(Glibc)
import Glibc
#endif

extension TestServer {
    /// `POST path` with an `Idempotency-Key` field (the partner key unless told otherwise).
    func post(
        _ path: String, _ body: String, idempotencyKey: String, key: String? = nil,
        contentType: String = "application/json"
    ) async throws -> Reply {
        try await request(
            .post, "\(path)?key=\(key ?? partnerKey)", body: body,
            headers: [.idempotencyKey: idempotencyKey, .contentType: contentType])
    }
}

/// Safe retries: an `Idempotency-Key`'s first answer is recorded with the lead and replayed to
/// repeats, byte for byte, within the retention.
@Suite struct IdempotencyTests {
    static let processed = #"{"saved":true,"processed":true}"#

    @Test func aRepeatGetsTheFirstAnswerByteForByteAndSavesNothing() async throws {
        try await withServer { (server: TestServer) async throws in
            let first = try await server.post("/lead/add", leadBody(), idempotencyKey: "order-1")
            #expect(first.status == .ok && first.body == Self.processed)
            #expect(first.headers[.xLeadID] == "1" && first.headers[.idempotentReplayed] == nil)
            for _ in 0..<3 {
                let again = try await server.post("/lead/add", leadBody(), idempotencyKey: "order-1")
                #expect(again.status == first.status && Array(again.body.utf8) == Array(first.body.utf8))
                #expect(again.headers[.xLeadID] == "1" && again.headers[.idempotentReplayed] == "true")
                #expect(again.headers[.contentType] == "application/json")
            }
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "1")
            #expect(try await server.scalar("SELECT count(*) FROM calls") == "1")
            // Without the key the same lead is a second lead, as ever.
            #expect(try await server.post("/lead/add", leadBody()).body == LeadRoutes.body(for: .alreadyScheduled))
        }
    }

    @Test func everyOutcomeIsRecordedAsItWasAnswered() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            let first = try await server.post("/lead/add", leadBody(), idempotencyKey: "retry-me")
            #expect(first.body == LeadRoutes.body(for: .alreadyScheduled) && first.headers[.xLeadID] == "2")
            // The call finishes meanwhile: the repeat still answers what the first request was told.
            try await server.exec("UPDATE calls SET state = 'done', finished_at = '2026-11-25T10:00:00.000Z'")
            let again = try await server.post("/lead/add", leadBody(), idempotencyKey: "retry-me")
            #expect(again.body == first.body && again.headers[.xLeadID] == "2" && again.headers[.idempotentReplayed] == "true")
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "2")
            #expect(try await server.scalar("SELECT request_sha256 FROM idempotency_keys") == Self.leadBodySHA256)
            #expect(
                try await server.scalar("SELECT status || ' ' || body || ' ' || lead_ids FROM idempotency_keys")
                    == "200 \(first.body) 2")
        }
    }

    @Test func theSameKeyWithAnotherBodyIs422AndSavesNothing() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody(), idempotencyKey: "k")
            let other = try await server.post("/lead/add", leadBody(mobile: "07911100001"), idempotencyKey: "k")
            #expect(other.status == .unprocessableContent)
            #expect(other.body == #"{"error":"Idempotency-Key reused with a different request"}"#)
            #expect(other.headers[.xLeadID] == nil)
            // One byte of white space is another request.
            #expect(try await server.post("/lead/add", leadBody() + " ", idempotencyKey: "k").status == .unprocessableContent)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "1")
        }
    }

    @Test func aSecondRequestWhileTheFirstIsInProgressIs409AndOneLeadIsSaved() async throws {
        try await withServer { (server: TestServer) async throws in
            // Hold the writer until the second request has its answer, so the first is still in
            // progress then however slowly a loaded machine serves the second; each on a
            // connection of its own. (A hold of a fixed second failed once under load.)
            let gate = DispatchSemaphore(value: 0)
            let held = Task { try await server.store.writer.write { _ in _ = gate.wait(timeout: .now() + 30) } }
            try await Task.sleep(for: .milliseconds(50))
            let port = try #require(server.client.port)
            let body = leadBody()
            let raw = try RawConnection(port: port)
            raw.send(
                "POST /lead/add?key=\(server.partnerKey) HTTP/1.1\r\nHost: x\r\nIdempotency-Key: twice\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            try await Task.sleep(for: .milliseconds(300))
            let second = try await server.post("/lead/add", body, idempotencyKey: "twice")
            gate.signal()
            let first = raw.receive(waitingUpTo: 10).text
            try await held.value
            #expect(first.hasPrefix("HTTP/1.1 200 ") && first.hasSuffix(Self.processed), "\(first)")
            #expect(second.status == .conflict)
            let replies = [second]
            let conflict = try #require(replies.first { $0.status == .conflict })
            #expect(conflict.body == #"{"error":"A request with this Idempotency-Key is in progress"}"#)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "1")
            // Once the first has finished, a repeat is a replay.
            #expect(try await server.post("/lead/add", leadBody(), idempotencyKey: "twice").headers[.idempotentReplayed] == "true")
        }
    }

    @Test func aKeyExpiresAfterTheRetentionAndIsPurged() async throws {
        try await withServer(configureStore: { $0.idempotencyHours = 2 }) { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody(), idempotencyKey: "old")
            _ = try await server.post("/lead/add", leadBody(mobile: "07911100001"), idempotencyKey: "newer")
            server.clock.advance(seconds: 2 * 3_600 - 1)
            #expect(try await server.post("/lead/add", leadBody(), idempotencyKey: "old").headers[.idempotentReplayed] == "true")
            #expect(await server.worker.purgeIdempotencyKeysNow() == 0)
            server.clock.advance(seconds: 1)
            // Expired: the key is new again and its lead is a second lead.
            let fresh = try await server.post("/lead/add", leadBody(), idempotencyKey: "old")
            #expect(fresh.headers[.idempotentReplayed] == nil && fresh.headers[.xLeadID] == "3")
            #expect(fresh.body == LeadRoutes.body(for: .alreadyScheduled))
            // "newer" expired too, and goes with the purge; the renewed "old" stays.
            #expect(await server.worker.purgeIdempotencyKeysNow() == 1)
            #expect(try await server.scalar("SELECT group_concat(idempotency_key) FROM idempotency_keys") == "old")
        }
    }

    @Test func thePurgeWorksInBoundedChunks() async throws {
        try await withServer(configureStore: { $0.idempotencyPurgeChunk = 2 }) { (server: TestServer) async throws in
            for n in 0..<5 { _ = try await server.post("/lead/add", leadBody(mobile: "0791110000\(n)"), idempotencyKey: "k\(n)") }
            server.clock.advance(seconds: 24 * 3_600 + 1)
            #expect(await server.worker.purgeIdempotencyKeysNow() == 5)
            #expect(try await server.scalar("SELECT count(*) FROM idempotency_keys") == "0")
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "5")
        }
    }

    @Test func keysAreScopedToThePartner() async throws {
        try await withServer { (server: TestServer) async throws in
            let mine = try await server.post("/lead/add", leadBody(), idempotencyKey: "shared")
            let theirs = try await server.post("/lead/add", leadBody(mobile: "07911100001"), idempotencyKey: "shared", key: server.otherPartnerKey)
            #expect(mine.body == Self.processed && theirs.body == Self.processed)
            #expect(mine.headers[.xLeadID] == "1" && theirs.headers[.xLeadID] == "2")
            #expect(theirs.headers[.idempotentReplayed] == nil)
            let theirRepeat = try await server.post(
                "/lead/add", leadBody(mobile: "07911100001"), idempotencyKey: "shared", key: server.otherPartnerKey)
            #expect(theirRepeat.headers[.xLeadID] == "2" && theirRepeat.headers[.idempotentReplayed] == "true")
        }
    }

    @Test func malformedKeysAre400AndAQuotedKeyIsTheBareOne() async throws {
        try await withServer { (server: TestServer) async throws in
            let invalid = #"{"error":"Invalid Idempotency-Key"}"#
            for key in [#""""#, String(repeating: "a", count: 256), #""abc"#, #""a\b""#, #""abc"x"#, "tab\there", "caf\u{e9}"] {
                let reply = try await server.post("/lead/add", leadBody(), idempotencyKey: key)
                #expect(reply.status == .badRequest && reply.body == invalid, "key \(key)")
            }
            var fields: HTTPFields = [.idempotencyKey: "a", .contentType: "application/json"]
            fields.append(HTTPField(name: .idempotencyKey, value: "b"))
            let two = try await server.request(.post, "/lead/add?key=\(server.partnerKey)", body: leadBody(), headers: fields)
            #expect(two.status == .badRequest && two.body == invalid)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
            let longest = String(repeating: "z", count: 255)
            #expect(try await server.post("/lead/add", leadBody(mobile: "07911100001"), idempotencyKey: longest).status == .ok)
            #expect(try await server.post("/lead/add", leadBody(), idempotencyKey: #""a \"quoted\" key""#).headers[.xLeadID] == "2")
            let bare = try await server.post("/lead/add", leadBody(), idempotencyKey: #"a "quoted" key"#)
            #expect(bare.headers[.idempotentReplayed] == "true" && bare.headers[.xLeadID] == "2")
            #expect(try await server.scalar("SELECT idempotency_key FROM idempotency_keys WHERE lead_ids = '2'") == #"a "quoted" key"#)
        }
    }

    @Test func validationFailuresAndTestModeAreNotRecorded() async throws {
        try await withServer { (server: TestServer) async throws in
            let invalid = try await server.post("/lead/add", leadBody(mobile: "123"), idempotencyKey: "fix-and-retry")
            #expect(invalid.status == .badRequest && invalid.body == #"{"mobile":{"0":"Mobile is not a valid phone number."}}"#)
            #expect(try await server.post("/lead/add", "{", idempotencyKey: "fix-and-retry").status == .badRequest)
            let test = try await server.post("/lead/add", leadBody(extra: #","test":true"#), idempotencyKey: "fix-and-retry")
            #expect(test.body == #"{"test":"ok"}"#)
            #expect(try await server.scalar("SELECT count(*) FROM idempotency_keys") == "0")
            // The corrected request is the key's first recorded one.
            let fixed = try await server.post("/lead/add", leadBody(), idempotencyKey: "fix-and-retry")
            #expect(fixed.body == Self.processed && fixed.headers[.idempotentReplayed] == nil)
        }
    }

    @Test func theRecordSurvivesARestartOfTheServer() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            func send(_ port: Int) throws -> String {
                let connection = try RawConnection(port: port)
                let body = leadBody()
                connection.send(
                    "POST /lead/add?key=\(setup.key) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Idempotency-Key: \"after-restart\"\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
                return connection.receive(waitingUpTo: 10).text
            }
            let first = try ServerProcess(database: setup.db, migrations: setup.migrations)
            let answered = try send(first.port)
            // Killed at once: what was answered must have been committed, the record with the lead.
            first.signal(SIGKILL)
            _ = first.waitForExit(seconds: 10)
            let second = try ServerProcess(database: setup.db, migrations: setup.migrations)
            defer {
                second.signal(SIGTERM)
                _ = second.waitForExit(seconds: 10)
            }
            let replayed = try send(second.port)
            #expect(answered.contains("\r\nx-lead-id: 1\r\n") || answered.contains("\r\nX-Lead-Id: 1\r\n"), "\(answered)")
            #expect(answered.hasSuffix("\r\n\r\n" + Self.processed))
            #expect(replayed.lowercased().contains("\r\nidempotent-replayed: true\r\n"), "\(replayed)")
            #expect(replayed.lowercased().contains("\r\nx-lead-id: 1\r\n"))
            #expect(replayed.hasSuffix("\r\n\r\n" + Self.processed))
            let connection = try Connection(path: setup.db)
            #expect(try connection.queryFirst("SELECT count(*) FROM leads") { $0.int(0) } == 1)
        }
    }

    /// `leadBody()`'s SHA-256, as `sha256sum` prints it.
    static let leadBodySHA256 = "27c8a1ed11100f4cc479b639520aa6abc6b7d480b3a64cba16e00b17d1368c28"
}
