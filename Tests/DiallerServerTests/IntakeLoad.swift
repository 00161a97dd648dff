import Foundation
import HummingbirdTesting
import NIOCore
import Synchronization

/// Concurrent `POST /lead/add` against a real server process, timing every request, for tests
/// that do something else to the database (a backup, a replicator, a kill) while intake goes on.
final class IntakeLoad: Sendable {
    /// One request: when it was sent and answered (on the test's clock), and whether it was saved.
    struct Request: Sendable {
        let mobile: String
        let sent: ContinuousClock.Instant
        let answered: ContinuousClock.Instant
        let saved: Bool
    }

    /// Appended by every client task as its answers arrive and read by the test, hence the lock.
    private let requests = Mutex<[Request]>([])
    private let stopFlag = StopFlag()

    /// Every request answered so far.
    var answered: [Request] { requests.withLock { $0 } }

    /// Mobiles (E.164) answered `saved:true` before `instant`.
    func savedMobiles(before instant: ContinuousClock.Instant) -> [String] {
        answered.filter { $0.saved && $0.answered < instant }.map(\.mobile)
    }

    var savedCount: Int { requests.withLock { $0.count { $0.saved } } }

    func stop() { stopFlag.set() }

    /// Posts distinct leads from `clients` connections until `stop()` or the server goes away.
    /// `prefix` keeps the mobiles of different runs apart (two digits).
    func run(port: Int, key: String, clients: Int, prefix: Int) async {
        let stop = stopFlag
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    let connection = TestClient(host: "127.0.0.1", port: port)
                    connection.connect()
                    defer { Task { try? await connection.shutdown() } }
                    for n in 0..<100_000 where !stop.isSet {
                        let national = String(format: "079%02d%02d%04d", prefix % 100, client, n)
                        let sent = ContinuousClock.now
                        guard
                            let response = try? await connection.execute(
                                .init(
                                    "/lead/add?key=\(key)", method: .post, headers: [.contentType: "application/json"],
                                    body: ByteBuffer(string: leadBody(mobile: national))))
                        else { break }
                        let saved = String(buffer: response.body ?? ByteBuffer()).hasPrefix(#"{"saved":true"#)
                        let request = Request(mobile: "+44" + national.dropFirst(), sent: sent, answered: .now, saved: saved)
                        self.requests.withLock { $0.append(request) }
                    }
                }
            }
        }
    }

    /// Waits (up to 60 s) until `count` leads were saved.
    func waitForSaved(atLeast count: Int) async throws {
        for _ in 0..<1200 where savedCount < count { try await Task.sleep(for: .milliseconds(50)) }
    }
}

extension ContinuousClock.Instant {
    /// Seconds from `earlier` to this instant.
    func seconds(since earlier: ContinuousClock.Instant) -> Double {
        let elapsed = self - earlier
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
