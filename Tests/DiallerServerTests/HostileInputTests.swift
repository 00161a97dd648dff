import Foundation
import Hummingbird
import LeadIntake
import Testing

@testable import DiallerServer

/// Hand-made nasty bodies and random mutations of a valid one.
enum HostileBodies {
    static let handMade: [[UInt8]] = {
        let texts = [
            String(repeating: "[", count: 100_000 / 2),
            "{\"a\":" + String(repeating: "{\"a\":", count: 5000) + "1" + String(repeating: "}", count: 5001),
            "{\"delays\":1" + String(repeating: "0", count: 5000) + "}",
            "{\"delays\":-1e999999,\"mobile\":1e400}",
            "{\"first_name\":\"\\ud800\\udc00\\udbff\"}",
            "{\"first_name\":\"\u{0}\",\"mobile\":\"07840258823\u{0}\"}",
            "{\"type\":\"a\",\"type\":\"b\",\"type\":null}",
            "{\"first_name\":\"" + String(repeating: "x", count: 60_000) + "\"}",
            leadBody(mobile: "'; DROP TABLE leads; --", type: "motor-trade' OR '1'='1"),
            leadBody(extra: #","subtype":"\"); DELETE FROM calls; --","data":"{\"x\":\"') OR 1=1 --\"}""#),
            leadBody().replacingOccurrences(of: "john.doe@example.com", with: "a@b.c\\u0000"),
            "{\"data\":\"" + String(repeating: "[", count: 1000) + "\"}",
            "\u{FEFF}" + leadBody(),
            "{\"test\":true,\"email\":[],\"first_name\":{},\"surname\":true,\"mobile\":[1],\"type\":{\"x\":1}}",
            "{\"mobile\":\"+" + String(repeating: "9", count: 2000) + "\"}",
            "{\"mobile\":18446744073709551616,\"other_phone\":-7840258823}",
        ]
        var bodies = texts.map { Array($0.utf8) }
        bodies.append([0xFF, 0xFE, 0x7B, 0x7D])
        bodies.append(Array("{\"first_name\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8))
        return bodies
    }()

    static func mutated(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SeededGenerator(seed: seed)
        let base = Array(
            leadBody(extra: #","subtype":"valeter","delays":600,"data":"{\"k\":[1,2,{\"n\":null}]}","other_phone":"020 7946 0018""#).utf8)
        let interesting: [UInt8] = Array("{}[]\",:\\0123456789.-+eEtrufalsn \u{7F}".utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xED, 0xF0, 0x9F, 0x80]
        return (0..<count).map { _ in
            var body = base
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let position = Int.random(in: 0..<max(1, body.count), using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !body.isEmpty: body[position] = interesting.randomElement(using: &random)!
                case 1: body.insert(interesting.randomElement(using: &random)!, at: position)
                case 2 where body.count > 1: body.remove(at: position)
                default: body.insert(contentsOf: body[position..<min(body.count, position + 12)], at: position)
                }
            }
            return body
        }
    }
}

/// Serialized: each test loads the server hard, and timing bounds are easier to keep one at a time.
@Suite(.serialized) struct HostileInputTests {
    @Test func nastyAndMutatedBodiesOnlyEverGet200Or400Or413WithJSON() async throws {
        try await withServer { (server: TestServer) async throws in
            let bodies = HostileBodies.handMade + HostileBodies.mutated(count: 2500, seed: 20_261_129)
            var statuses: [Int: Int] = [:]
            for (index, bytes) in bodies.enumerated() {
                let path = index % 5 == 0 ? "/lead/cancel" : "/lead/add"
                let response = try await server.client.execute(
                    uri: "\(path)?key=\(server.partnerKey)", method: .post,
                    headers: [.contentType: "application/json"], body: ByteBuffer(bytes: bytes))
                statuses[response.status.code, default: 0] += 1
                #expect([200, 400, 413].contains(response.status.code), "body #\(index) got \(response.status.code)")
                let text = String(buffer: response.body)
                #expect((try? JSONParser.parse(Array(text.utf8))) != nil, "body #\(index) answered with non-JSON: \(text)")
            }
            #expect(statuses[200, default: 0] > 0 && statuses[400, default: 0] > 0)
            // Still healthy, still taking leads, and nothing hostile became SQL.
            #expect(try await server.request(.get, "/healthz").status == .ok)
            #expect(try await server.post("/lead/add", leadBody(mobile: "07911100999")).status == .ok)
            #expect(try await server.scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('leads', 'calls')") == "2")
            #expect(try await server.scalar("PRAGMA integrity_check") == "ok")
        }
    }

    /// A GET /healthz on a new connection, answered within `seconds`.
    static func healthy(port: Int, within seconds: Double = 2) throws -> Bool {
        let connection = try RawConnection(port: port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return connection.receive(waitingUpTo: seconds).text.hasPrefix("HTTP/1.1 200")
    }

    @Test func oversizedAndConflictingHeadersAreRefused() async throws {
        try await withServer { (server: TestServer) async throws in
            let port = try #require(server.client.port)
            let huge = try RawConnection(port: port)
            huge.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "a", count: 200_000))\r\n\r\n")
            let hugeReply = huge.receive(waitingUpTo: 5)
            #expect(!hugeReply.text.hasPrefix("HTTP/1.1 200"))
            let conflicting = try RawConnection(port: port)
            conflicting.send("POST /lead/add?key=\(server.partnerKey) HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 500\r\n\r\n{}   ")
            let conflictingReply = conflicting.receive(waitingUpTo: 5)
            #expect(!conflictingReply.text.hasPrefix("HTTP/1.1 200"))
            #expect(try Self.healthy(port: port, within: 10))
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
        }
    }

    @Test func slowAndIdleClientsDoNotStopOthers() async throws {
        try await withServer(configure: { $0.idleTimeoutSeconds = 1 }) { (server: TestServer) async throws in
            let port = try #require(server.client.port)
            // Hundreds of idle connections and slow-loris clients dribbling a request…
            let idle = try (0..<300).map { _ in try RawConnection(port: port) }
            let slow = try (0..<50).map { _ in try RawConnection(port: port) }
            for connection in slow { connection.send("POST /lead/add HTTP/1.1\r\nHost: x\r\n") }
            // …while others are served promptly.
            let started = ContinuousClock.now
            // (Bounds are generous because other suites load this machine's two cores meanwhile.)
            for _ in 0..<20 { #expect(try Self.healthy(port: port, within: 5)) }
            #expect(ContinuousClock.now - started < .seconds(20))
            // Idle connections are closed by the server after the idle timeout.
            let reply = idle[0].receive(waitingUpTo: 5)
            #expect(reply.closed)
            #expect(idle.count == 300 && slow.count == 50)
        }
    }
}
