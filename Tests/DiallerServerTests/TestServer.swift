import DiallerStore
// Exported so every file of this target has the shared helpers (temporary folders, the
// migrations folder, the seeded generator) without importing them one by one.
@_exported import DiallerTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import DiallerServer

/// A running server on a loopback port over a fresh database, with keys for two partners and a dialler.
struct TestServer {
    let client: any TestClientProtocol
    let store: Store
    let clock: ManualClock
    let worker: HousekeepingWorker
    let partnerKey: String
    let otherPartnerKey: String
    let diallerKey: String
    let logs: LogCapture
    /// Seals the endpoints' secrets; the delivery worker holds it too.
    let secretsKey: SecretsKey

    /// A response's status, headers and body text.
    struct Reply {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: String
    }

    func request(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:]) async throws -> Reply {
        var fields = headers
        if body != nil, fields[.contentType] == nil { fields[.contentType] = "application/json" }
        let response = try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
    }

    /// `POST path?key=KEY` (the partner key unless told otherwise).
    func post(_ path: String, _ body: String, key: String? = nil) async throws -> Reply {
        try await request(.post, "\(path)?key=\(key ?? partnerKey)", body: body)
    }

    /// The first column of the first row of a query, as text.
    func scalar(_ sql: String) async throws -> String? {
        try await store.read { connection in try connection.queryFirst(sql) { $0.optionalText(0) } ?? nil }
    }

    /// Creates or changes a partner's webhook endpoint, sealing any new secret with the server's key.
    func changeWebhookEndpoint(partner: String, _ change: WebhookEndpointChange) async throws -> WebhookEndpointChangeReport {
        try await store.changeWebhookEndpoint(partner: partner, change, key: secretsKey)
    }

    func exec(_ sql: String) async throws {
        try await store.writer.write { try $0.execute(script: sql) }
    }
}

/// A lead body as partners send it.
func leadBody(mobile: String = "07840258823", type: String = "motor-trade", extra: String = "") -> String {
    #"{"first_name":"John","surname":"Doe","mobile":"\#(mobile)","email":"john.doe@example.com","type":"\#(type)"\#(extra)}"#
}

/// Runs `body` against a live server on a loopback port, with a real database file and a manual clock.
func withServer(
    configure: (inout ServerConfiguration) -> Void = { _ in },
    configureStore: (inout StoreConfiguration) -> Void = { _ in },
    webhooks: WebhookDeliverySettings? = nil,
    _ body: @Sendable (TestServer) async throws -> Void
) async throws {
    try await withTemporaryDirectory { directory in
        var storeConfiguration = StoreConfiguration(path: directory + "/test.sqlite", migrationsDirectory: migrationsDirectory)
        configureStore(&storeConfiguration)
        let clock = ManualClock(iso8601: "2026-11-25T10:00:00.000Z")
        let metrics = ServiceMetrics()
        let store = try Store(storeConfiguration, clock: clock, onBatch: { metrics.batchCommitted($0) })
        defer { store.close() }
        try await store.writer.write {
            try $0.execute(
                script: """
                    INSERT INTO lead_types(name) VALUES ('motor-trade');
                    INSERT INTO lead_types(name, call_group) VALUES ('van-insurance', 'motor-trade');
                    INSERT INTO lead_types(name, active) VALUES ('retired', 0);
                    """)
        }
        let partnerKey = try await store.createKey(role: .partner, name: "acme").key
        let otherPartnerKey = try await store.createKey(role: .partner, name: "rival").key
        let diallerKey = try await store.createKey(role: .dialler, name: "floor-1").key
        let logs = LogCapture()
        var logger = Logger(label: "dialler-test") { _ in logs.handler() }
        logger.logLevel = .info
        let worker = HousekeepingWorker(store: store, interval: 3600, logger: logger) { report, _ in metrics.promotionTicked(report) }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.promoteEvery = 3600
        configure(&configuration)
        let secretsKey = try #require(SecretsKey(bytes: SecretsKey.randomBytes()))
        var webhooks = webhooks
        webhooks?.secretsKey = secretsKey
        let app = buildApplication(
            configuration: configuration, store: store, worker: worker, metrics: metrics, logger: logger,
            webhooks: webhooks)
        try await app.test(.live) { client in
            try await body(
                TestServer(
                    client: client, store: store, clock: clock, worker: worker, partnerKey: partnerKey,
                    otherPartnerKey: otherPartnerKey, diallerKey: diallerKey, logs: logs, secretsKey: secretsKey))
        }
    }
}

/// Keeps every log line a test server writes, so tests can read them.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func handler() -> CapturingLogHandler { CapturingLogHandler(capture: self) }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }
}

/// A swift-log handler writing level, message and metadata into a `LogCapture` instead of
/// standard error.
struct CapturingLogHandler: LineLogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    func render(event: LogEvent) -> String {
        "\(event.level) \(event.message) " + fields(of: event).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    func log(event: LogEvent) { capture.append(render(event: event)) }
}
