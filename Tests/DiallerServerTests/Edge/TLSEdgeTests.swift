import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shipped nginx edge (`deploy/nginx/dialler.conf`) in front of the real server, on loopback:
/// what partners get through it, what it refuses itself, and what the server learns of clients.
/// Skipped where nginx is not installed, except in CI (`CI=true`), where that fails it.
@Suite(.serialized, .enabled(if: EdgeTools.shouldRun, "needs nginx, openssl and curl (\(EdgeTools.installHint))"))
struct TLSEdgeTests {
    static let json = ["Content-Type: application/json"]
    /// Headers that differ by nature between the edge's answer and the server's own.
    static let hopHeaders: Set = ["date", "server", "connection", "keep-alive", "x-request-id", "strict-transport-security"]
    static let hsts = "max-age=63072000"

    /// A test-mode lead padded with white space to exactly `bytes` bytes.
    static func paddedLead(bytes: Int) -> String {
        let lead = leadBody(mobile: "07911100002", extra: #","test":true"#)
        return String(lead.dropLast()) + String(repeating: " ", count: bytes - lead.utf8.count) + "}"
    }

    @Test func partnerRequestsThroughTheEdgeAnswerExactlyAsDirectly() async throws {
        try await withEdge { edge in
            let key = edge.key
            let requests: [(method: String, path: String, body: String?)] = [
                ("POST", "/lead/add?key=\(key)", leadBody(mobile: "07911100001", extra: #","test":true"#)),
                ("POST", "/lead/add?key=\(key)", leadBody(mobile: "0800 FLOWERS")),
                ("POST", "/lead/add?key=nope", "{}"),
                ("POST", "/lead/add?key=\(key)", #"{"first_name": }"#),
                ("POST", "/lead/cancel?key=\(key)", #"{"mobile":"07911100009","type":"motor-trade"}"#),
                ("GET", "/lead/add?key=\(key)", nil),
                ("GET", "/no/such/path", nil),
                ("GET", "/healthz", nil),
                ("POST", "/lead/add?key=\(key)", Self.paddedLead(bytes: 65_536)),
            ]
            for request in requests {
                let direct = try await edge.curl.request(request.method, edge.direct + request.path, body: request.body, headers: Self.json)
                let viaEdge = try await edge.curl.request(request.method, edge.https + request.path, body: request.body, headers: Self.json)
                Self.expectSame(viaEdge, direct, "\(request.method) \(request.path.prefix(20))")
            }
            // Real leads change state: one mobile each way, then each again the other way round.
            let mobiles = ["07911100003", "07911100004"]
            for round in 0..<2 {
                let (edgeMobile, directMobile) = round == 0 ? (mobiles[0], mobiles[1]) : (mobiles[1], mobiles[0])
                let viaEdge = try await edge.curl.request(
                    "POST", edge.https + "/lead/add?key=\(key)", body: leadBody(mobile: edgeMobile), headers: Self.json)
                let direct = try await edge.curl.request(
                    "POST", edge.direct + "/lead/add?key=\(key)", body: leadBody(mobile: directMobile), headers: Self.json)
                Self.expectSame(viaEdge, direct, "lead/add round \(round)")
                #expect(
                    viaEdge.body
                        == (round == 0
                            ? #"{"saved":true,"processed":true}"# : #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"#))
            }
            // The edge's log names no key and no personal data; the server's, without --trusted-proxy, the peer.
            let edgeLog = edge.edge.accessLog
            #expect(edgeLog.contains(#""POST /lead/add" 200"#))
            for secret in [key, "07911100003", "FLOWERS", "john.doe"] { #expect(!edgeLog.contains(secret), "edge log leaks \(secret)") }
            #expect(edge.serverRequestLines.count == 2 * requests.count + 4)
            #expect(edge.serverRequestLines.allSatisfy { $0.contains("client=127.0.0.1 ") })
        }
    }

    /// Same status, body and headers, but for those of the hop; the edge adds HSTS.
    static func expectSame(_ viaEdge: CurlReply, _ direct: CurlReply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(viaEdge.status == direct.status, "\(what): \(viaEdge) vs \(direct)", sourceLocation: sourceLocation)
        #expect(viaEdge.body == direct.body, "\(what)", sourceLocation: sourceLocation)
        // X-Lead-Id names each side's own lead: compared for presence, as X-Request-Id is.
        let headers = { (reply: CurlReply) in
            reply.headers.filter { !hopHeaders.contains($0.name) && $0.name != "x-lead-id" }.map { "\($0.name): \($0.value)" }.sorted()
        }
        #expect(headers(viaEdge) == headers(direct), "\(what)", sourceLocation: sourceLocation)
        #expect((viaEdge.header("x-request-id") != nil) == (direct.header("x-request-id") != nil), "\(what)", sourceLocation: sourceLocation)
        #expect((viaEdge.header("x-lead-id") != nil) == (direct.header("x-lead-id") != nil), "\(what)", sourceLocation: sourceLocation)
        #expect(viaEdge.header("strict-transport-security") == hsts, "\(what)", sourceLocation: sourceLocation)
    }

    @Test func plainHTTPIsRedirectedToHTTPSAndNeverReachesTheServer() async throws {
        try await withEdge { edge in
            let get = try await edge.curl.request("GET", edge.http + "/lead/add?key=\(edge.key)")
            #expect(get.status == 301)
            #expect(get.header("location") == "https://127.0.0.1/lead/add?key=\(edge.key)")
            let post = try await edge.curl.request("POST", edge.http + "/lead/add?key=\(edge.key)", body: leadBody(), headers: Self.json)
            #expect(post.status == 301 && post.header("location") == "https://127.0.0.1/lead/add?key=\(edge.key)")
            // Let's Encrypt's challenge path is served from its webroot, not redirected.
            #expect(try await edge.curl.request("GET", edge.http + "/.well-known/acme-challenge/none").status == 404)
            #expect(edge.serverRequestLines.isEmpty)
        }
    }

    @Test func onlyTLS12And13Handshake() async throws {
        try await withEdge { edge in
            let tls = TLSHandshake(openssl: edge.tools.openssl)
            for version in [TLSHandshake.Version.tlsv10, .tlsv11] {
                let refused = try await tls.attempt(port: edge.edge.httpsPort, version)
                #expect(refused.negotiated == nil, "the edge accepted \(version)")
                #expect(refused.output.contains("alert protocol version"), "\(version): \(refused.output)")
                // The control: the same client completes that handshake with a server that allows it.
                let (control, port) = try await tls.permissiveServer(version, certificate: edge.certificate)
                let allowed = try await tls.attempt(port: port, version)
                #expect(allowed.negotiated == "\(version)", "the client cannot do \(version) at all: \(allowed.output)")
                control.stop()
            }
            for version in [TLSHandshake.Version.tlsv12, .tlsv13] {
                let accepted = try await tls.attempt(port: edge.edge.httpsPort, version)
                #expect(accepted.negotiated == "\(version)", "\(version): \(accepted.output)")
            }
        }
    }

    @Test func theEdgeAnswersItsOwnRefusalsInTheAPIsJSON() async throws {
        try await withEdge { edge in
            let path = "/lead/add?key=\(edge.key)"
            let oversized = Self.paddedLead(bytes: 65_537)
            let direct = try await edge.curl.request("POST", edge.direct + path, body: oversized, headers: Self.json)
            let linesBefore = edge.serverRequestLines.count
            let refused = try await edge.curl.request("POST", edge.https + path, body: oversized, headers: Self.json)
            #expect(refused.status == 413 && direct.status == 413)
            #expect(refused.body == direct.body, "the edge's 413 is the server's own words")
            #expect(refused.header("content-type") == "application/json")
            #expect(refused.header("x-request-id") == nil, "answered by the server, not the edge")

            let longHeader = try await edge.curl.request(
                "GET", edge.https + "/healthz", headers: ["X-Padding: " + String(repeating: "a", count: 9000)])
            #expect(longHeader.status == 431 && longHeader.body == #"{"error":"Request Header Fields Too Large"}"#)
            let longURI = try await edge.curl.request("GET", edge.https + "/healthz?" + String(repeating: "a", count: 9000))
            #expect(longURI.status == 414 && longURI.body == #"{"error":"URI Too Long"}"#)
            let badRequestLine = try await edge.curl.request("BAD METHOD", edge.https + "/healthz")
            #expect(badRequestLine.status == 400 && badRequestLine.body == #"{"error":"Bad Request"}"#)
            let internalPage = try await edge.curl.request("GET", edge.https + "/_edge/413")
            #expect(internalPage.status == 404 && internalPage.body == #"{"error":"Not found"}"#)
            for reply in [longHeader, longURI, badRequestLine, internalPage] {
                #expect(reply.header("content-type") == "application/json" && reply.header("strict-transport-security") == Self.hsts)
            }
            #expect(edge.serverRequestLines.count == linesBefore, "a refused request reached the server")

            // The server gone: 502 in JSON.
            edge.server.signal(SIGTERM)
            #expect(edge.server.waitForExit(seconds: 10) == 0)
            let gone = try await edge.curl.request("POST", edge.https + path, body: leadBody(), headers: Self.json)
            #expect(gone.status == 502 && gone.body == #"{"error":"Bad Gateway"}"#)
            #expect(gone.header("content-type") == "application/json")
        }
    }

    @Test func aFloodFromOneAddressGets429AtTheEdgeWhileOthersAreServed() async throws {
        try await withEdge { edge in
            let replies = try await edge.curl.replies([edge.https + "/healthz?n=[1-600]"], from: "127.0.0.9")
            #expect(replies.count == 600)
            let limited = replies.filter { $0.status == 429 }
            let served = replies.filter { $0.status == 200 }
            #expect(served.count >= 200, "the burst of 200 is let through")
            #expect(!limited.isEmpty && served.count + limited.count == 600)
            let first = try #require(limited.first)
            #expect(first.body == #"{"error":"Too many requests"}"#)
            #expect(first.header("retry-after") == "1" && first.header("content-type") == "application/json")
            #expect(first.header("strict-transport-security") == Self.hsts)
            // Another address is not limited by that one's flood, and no 429 reached the server.
            #expect(try await edge.curl.request("GET", edge.https + "/healthz", from: "127.0.0.1").status == 200)
            try await Self.waitFor { edge.serverRequestLines.count >= served.count + 1 }
            #expect(edge.serverRequestLines.count == served.count + 1)
        }
    }

    @Test func slowLorisClientsAtTheEdgeDoNotDelayOthers() async throws {
        try await withEdge { edge in
            let port = edge.edge.httpsPort
            let serverSockets = Self.openDescriptors(of: edge.server.processIdentifier)
            let started = ContinuousClock.now
            // 180 connections stuck in the TLS handshake (a record header, then nothing)…
            let stalled = try (0..<180).map { _ in try RawConnection(port: port) }
            for connection in stalled { connection.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]) }
            // …and 20 that finish it, then dribble half a request's headers.
            let dribbling = try (0..<20).map { _ in
                try ChildProcess(edge.tools.openssl, ["s_client", "-quiet", "-connect", "127.0.0.1:\(port)"], keepInputOpen: true)
            }
            for client in dribbling { client.write("POST /lead/add?key=\(edge.key) HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
            try await Task.sleep(for: .seconds(1))
            #expect(dribbling.allSatisfy { $0.isRunning })
            // Others are answered promptly meanwhile (bounds allow for the other suites' load).
            for n in 0..<10 {
                let asked = ContinuousClock.now
                let reply = try await edge.curl.request(
                    "POST", edge.https + "/lead/add?key=\(edge.key)",
                    body: leadBody(mobile: "0791110\(1000 + n)"), headers: Self.json)
                #expect(reply.body == #"{"saved":true,"processed":true}"#)
                #expect(ContinuousClock.now - asked < .seconds(3))
            }
            // None of them reached the server: it holds no socket for them.
            #expect(Self.openDescriptors(of: edge.server.processIdentifier) <= serverSockets + 40)
            // The edge cuts them all off after client_header_timeout (10 s).
            let deadline = started + .seconds(25)
            for connection in stalled {
                while !connection.receive(waitingUpTo: 0.001).closed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
            }
            for client in dribbling { _ = try await client.exit(within: max(0, Double((deadline - ContinuousClock.now).components.seconds))) }
            let closedAfter = ContinuousClock.now - started
            #expect(stalled.allSatisfy { $0.receive(waitingUpTo: 0.001).closed }, "stalled handshakes still open after \(closedAfter)")
            #expect(dribbling.allSatisfy { !$0.isRunning }, "dribbling clients still connected after \(closedAfter)")
            #expect(closedAfter > .seconds(9), "closed before the timeout: something else cut them off")
        }
    }

    @Test func theAccessLogNamesTheForwardedClientOnlyBehindATrustedProxy() async throws {
        let spoof = ["X-Forwarded-For: 6.6.6.6"]
        try await withEdge(serverArguments: ["--trusted-proxy", "127.0.0.1"]) { edge in
            // Through the edge: nginx appends its peer, the server takes the right-most untrusted.
            let throughEdge = try await Self.clientLogged(edge, edge.https, headers: spoof, from: "127.0.0.5")
            #expect(throughEdge == "127.0.0.5")
            // Straight to the server from an untrusted peer: its header is ignored.
            let untrusted = try await Self.clientLogged(edge, edge.direct, headers: spoof, from: "127.0.0.6")
            #expect(untrusted == "127.0.0.6")
            // A trusted peer is believed, with or without nginx.
            let trusted = try await Self.clientLogged(edge, edge.direct, headers: ["X-Forwarded-For: 203.0.113.7"], from: "127.0.0.1")
            #expect(trusted == "203.0.113.7")
            #expect(edge.edge.accessLog.contains("127.0.0.5 ["))
        }
        try await withEdge { edge in
            // No --trusted-proxy: the peer, nginx, is all the server knows.
            let throughEdge = try await Self.clientLogged(edge, edge.https, headers: spoof, from: "127.0.0.5")
            #expect(throughEdge == "127.0.0.1")
            let direct = try await Self.clientLogged(edge, edge.direct, headers: spoof, from: "127.0.0.6")
            #expect(direct == "127.0.0.6")
        }
    }

    /// The `client=` of the server's log line for one `GET /healthz`.
    static func clientLogged(_ edge: EdgeFixture, _ origin: String, headers: [String], from source: String) async throws -> String? {
        let before = edge.serverRequestLines.count
        #expect(try await edge.curl.request("GET", origin + "/healthz", headers: headers, from: source).status == 200)
        try await waitFor { edge.serverRequestLines.count > before }
        let line = try #require(edge.serverRequestLines.dropFirst(before).first)
        return line.split(separator: " ").first { $0.hasPrefix("client=") }.map { String($0.dropFirst("client=".count)) }
    }

    /// Polls `condition` for up to five seconds: the server's log arrives through a pipe.
    static func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<250 where !condition() { try await Task.sleep(for: .milliseconds(20)) }
    }

    static func openDescriptors(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }
}
