import DiallerStore
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary killed while its deliveries hang: after a restart every event arrives, the
/// interrupted ones again with the same `webhook-id`.
@Suite(.serialized) struct WebhookCrashTests {
    static let fastRetries = ["--webhook-attempt-timeout", "30", "--webhook-poll-every", "0.05", "--webhook-backoff-base", "0.2"]

    static func count(_ db: String, _ sql: String) throws -> Int {
        try Connection(path: db, readOnly: true).queryFirst(sql) { $0.int(0) } ?? -1
    }

    @Test func deliveriesResumeAfterAKillMidDeliveryWithNothingLost() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            let receiver = try await WebhookReceiver.start(.hang)
            let key = ["DIALLER_SECRETS_KEY_FILE": folder + "/secrets.key"]
            #expect(try DiallerBinary.run(["secrets", "init", "--to", folder + "/secrets.key", "--db", setup.db]).status == 0)
            let configured = try DiallerBinary.run(["partners", "webhook", "acme", "--url", receiver.url, "--db", setup.db], environment: key)
            let secret = String(configured.out.prefix { $0 != "\n" })
            #expect(secret.hasPrefix("whsec_"), "\(configured.err)")

            let first = try ServerProcess(database: setup.db, migrations: setup.migrations, extraArguments: Self.fastRetries, environment: key)
            let client = TestClient(host: "127.0.0.1", port: first.port)
            client.connect()
            for index in 0..<6 {
                let mobile = "0784025\(8830 + index)"
                for (path, body) in [("/lead/add", leadBody(mobile: mobile)), ("/lead/cancel", #"{"type":"motor-trade","mobile":"\#(mobile)"}"#)] {
                    let response = try await client.execute(
                        .init(
                            "\(path)?key=\(setup.key)", method: .post,
                            headers: [.contentType: "application/json"], body: ByteBuffer(string: body)))
                    #expect(response.status == .ok)
                }
            }
            try? await client.shutdown()
            // Four attempts hang at the receiver (the per-partner limit) when the server is killed.
            #expect(await eventually { receiver.received.count == 4 })
            first.signal(SIGKILL)
            #expect(first.waitForExit(seconds: 10) != nil)
            #expect(try Self.count(setup.db, "SELECT count(*) FROM webhook_events WHERE state = 'pending' AND attempts = 0") == 6)

            receiver.answer(.status(200))
            receiver.release()
            let second = try ServerProcess(database: setup.db, migrations: setup.migrations, extraArguments: Self.fastRetries, environment: key)
            #expect(
                await eventually(seconds: 20) { (try? Self.count(setup.db, "SELECT count(*) FROM webhook_events WHERE state = 'delivered'")) == 6 })
            second.signal(SIGTERM)
            #expect(second.waitForExit(seconds: 20) == 0)
            await receiver.stop()

            let received = receiver.received
            #expect(Set(received.map(\.id)) == Set((1...6).map { "evt_\($0)" }))
            #expect(received.count >= 6)
            for id in Set(received.map(\.id)) {
                #expect(Set(received.filter { $0.id == id }.map(\.body)).count == 1, "one body per webhook-id")
            }
            for request in received {
                #expect(
                    request.signature == (try independentSignature(secret: secret, id: request.id, timestamp: request.timestamp, body: request.body)))
            }
        }
    }
}
