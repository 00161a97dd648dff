import DiallerStore
import Foundation
import Hummingbird
import LeadIntake

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`: no partner key, no personal data.
struct OperationsRoutes: Sendable {
    let store: Store
    let worker: HousekeepingWorker
    let metrics: ServiceMetrics
    /// When set, `/metrics` requires this key (as `?key=`, `X-API-Key` or a bearer token).
    let metricsKey: String?
    /// Seconds without a promotion tick after which the server is not ready.
    let maxTickAge: Double
    let openAPIDocument: String

    func register(on router: Router<DiallerContext>) {
        router.get("/healthz") { _, _ in APIResponse.ok(#"{"status":"ok"}"#) }
        router.get("/readyz") { _, _ in try await ready() }
        router.get("/metrics") { request, _ in try await exposition(request) }
        router.get("/openapi.yaml") { _, _ in
            var buffer = ByteBuffer()
            buffer.writeString(openAPIDocument)
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: buffer))
        }
    }

    /// Ready when the writer can take a write transaction now and the promotion worker is ticking.
    func ready() async throws -> Response {
        do {
            try await store.writer.write { _ in }
        } catch {
            return notReady("database not writable: \((error as? SQLiteError)?.message ?? "store closed")")
        }
        guard let last = worker.lastTickAt else { return notReady("promotion worker has not ticked yet") }
        let age = Double(store.clock.now().milliseconds - last.milliseconds) / 1000
        if age > maxTickAge { return notReady("promotion worker last ticked \(Int(age)) seconds ago") }
        return APIResponse.ok(#"{"status":"ready","migrations":"applied","promotion":"ticking"}"#)
    }

    private func notReady(_ reason: String) -> Response {
        APIResponse.json(.serviceUnavailable, #"{"status":"unavailable","reason":"# + JSONWriter.quoted(reason) + "}")
    }

    func exposition(_ request: Request) async throws -> Response {
        if let metricsKey, !APIKey.hash(request.apiKey ?? "").elementsEqualInConstantTime(APIKey.hash(metricsKey)) {
            throw APIError.invalidKey
        }
        let snapshot = try await store.queueSnapshot()
        metrics.update(from: snapshot)
        let measured = store.allAbandonRates()
        let quiet = Set(snapshot.groups.map(\.name)).subtracting(measured.map(\.callGroup))
        metrics.update(from: measured + quiet.sorted().map { AbandonRate(callGroup: $0, live: 0, abandoned: 0) })
        metrics.update(from: try await store.suppressionLists(), now: store.clock.now())
        var buffer = ByteBuffer()
        buffer.writeBytes(metrics.exposition())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: buffer))
    }
}
