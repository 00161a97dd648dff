import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

@Suite struct OperationsTests {
    @Test func healthAndReadiness() async throws {
        try await withServer { (server: TestServer) async throws in
            let health = try await server.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.body == #"{"status":"ok"}"#)
            // The worker's timer ticks as soon as it starts.
            await server.worker.promoteNow()
            let ready = try await server.request(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.body == #"{"status":"ready","migrations":"applied","promotion":"ticking"}"#)
            server.clock.advance(seconds: 3600 * 6)
            let stale = try await server.request(.get, "/readyz")
            #expect(stale.status == .serviceUnavailable)
            #expect(stale.body == #"{"status":"unavailable","reason":"promotion worker last ticked 21600 seconds ago"}"#)
            let intruder = try DiallerStoreConnection.open(server.store.configuration.path)
            try intruder.execute(script: "BEGIN IMMEDIATE")
            await server.worker.promoteNow()
            let locked = try await server.request(.get, "/readyz")
            #expect(locked.status == .serviceUnavailable)
            #expect(locked.body.contains("database not writable"))
            try intruder.execute(script: "ROLLBACK")
        }
    }

    @Test func metricsMoveWithLeadsCancelsPromotionsAndClaims() async throws {
        try await withServer { (server: TestServer) async throws in
            // A call due in a second waits for the worker; one due at once is queued by its lead
            // (then cancelled here): only the first is a promotion.
            _ = try await server.post("/lead/add", leadBody(extra: #","delays":1"#))
            _ = try await server.post("/lead/add", leadBody())
            _ = try await server.post("/lead/add", leadBody(mobile: "07911100001"))
            _ = try await server.post("/lead/add", leadBody(mobile: "bad"))
            _ = try await server.post("/lead/cancel", #"{"mobile":"07911100001","type":"motor-trade"}"#)
            server.clock.advance(seconds: 5)
            let lagging = try await server.request(.get, "/metrics").body
            #expect(lagging.contains("dialler_promotion_lag_seconds 4.0"))
            await server.worker.promoteNow()
            _ = try await server.post("/queue/next", "", key: server.diallerKey)
            let text = try await server.request(.get, "/metrics").body
            for line in [
                #"dialler_leads_total{partner="acme",type="motor-trade",outcome="processed"} 2"#,
                #"dialler_leads_total{partner="acme",type="motor-trade",outcome="already_scheduled"} 1"#,
                #"dialler_validation_failures_total{field="mobile"} 1"#,
                #"dialler_cancels_total{outcome="cancelled"} 1"#,
                "dialler_calls_promoted_total 1",
                #"dialler_calls_claimed_total{call_group="motor-trade"} 1"#,
                #"dialler_calls_dialling{call_group="motor-trade"} 1"#,
                #"dialler_queue_depth{call_group="motor-trade"} 0"#,
                #"dialler_http_requests_total{route="/lead/add",status="200"} 3"#,
                #"dialler_http_requests_total{route="/lead/add",status="400"} 1"#,
                #"dialler_http_request_duration_seconds_count{route="/lead/add"} 4"#,
                "dialler_promotion_lag_seconds 0.0",
            ] {
                #expect(text.contains(line), "missing: \(line)")
            }
            #expect(text.contains("dialler_writer_batch_jobs_count"))
            #expect(text.contains("dialler_writer_commit_seconds_bucket"))
            #expect(text.contains("dialler_http_request_duration_seconds_bucket"))
        }
    }

    @Test func metricsCanRequireAKey() async throws {
        try await withServer(configure: { $0.metricsKey = "scrape-secret" }) { (server: TestServer) async throws in
            #expect(try await server.request(.get, "/metrics").status == .unauthorized)
            #expect(try await server.request(.get, "/metrics", headers: [.authorization: "Bearer scrape-secret"]).status == .ok)
        }
    }

    @Test func oneLogLinePerRequestWithoutPersonalData() async throws {
        try await withServer { (server: TestServer) async throws in
            _ = try await server.post("/lead/add", leadBody())
            _ = try await server.post("/lead/add", leadBody(mobile: "0800 FLOWERS"))
            _ = try await server.post("/lead/cancel", #"{"mobile":"07840258823","type":"motor-trade"}"#)
            _ = try await server.request(.get, "/healthz")
            let requestLines = server.logs.all.filter { $0.contains(" request ") }
            #expect(requestLines.count == 4)
            #expect(requestLines[0].contains("route=/lead/add") && requestLines[0].contains("status=200") && requestLines[0].contains("caller=acme"))
            for line in server.logs.all {
                for secret in [server.partnerKey, server.diallerKey, "07840258823", "7840258823", "john.doe@example.com", "FLOWERS"] {
                    #expect(!line.contains(secret), "log line leaks personal data or a key: \(line)")
                }
            }
        }
    }

    @Test func theServedOpenAPIDocumentIsTheRepositorysAndCoversEveryRoute() async throws {
        try await withServer { (server: TestServer) async throws in
            let served = try await server.request(.get, "/openapi.yaml")
            #expect(served.status == .ok)
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Sources/DiallerServer/openapi.yaml")
            #expect(served.body == (try String(contentsOf: file, encoding: .utf8)))
            #expect(served.body.hasPrefix("openapi: 3.1"))
            for (path, methods) in OpenAPIExpectations.routes {
                // The path's block: from its line to the next path's.
                let start = try #require(served.body.range(of: "\n  \(path):\n"), "openapi.yaml lacks \(path)")
                let rest = served.body[start.upperBound...]
                let block = rest[..<(rest.range(of: "\n  /")?.lowerBound ?? rest.endIndex)]
                for method in methods.split(separator: ", ") {
                    #expect(
                        block.contains("\n    \(method.lowercased()):") || block.hasPrefix("    \(method.lowercased()):"),
                        "openapi.yaml lacks \(method) \(path)")
                }
            }
            for body in OpenAPIExpectations.fixedBodies {
                #expect(served.body.contains(body), "openapi.yaml lacks the body \(body)")
            }
        }
    }
}
