import Synchronization

/// Principals of keys already seen, so most requests authenticate without reading the key's row.
///
/// Two things make an entry stale. A key change made through this process's `Store` (a revocation)
/// drops every entry at once, before the change is reported done. Changes made by anyone else (a
/// `keys revoke` in another process, a supervisor's `UPDATE`) are noticed through SQLite's
/// `PRAGMA data_version`, which moves whenever another connection commits: it is looked at again
/// when the last look is `revalidationInterval` old (1 ms by default), and every entry is dropped
/// when it has moved. Under load this server's own writer commits every few milliseconds, which
/// also moves it: those commits cost one lookup each, not one per request (measured: the version
/// check alone cost ~7 µs a request under load, two file-lock system calls and a re-read of page 1
/// after each commit).
final class KeyCache: Sendable {
    /// Most entries kept; past it the cache starts afresh (keys are few; this bounds a flood).
    static let capacity = 10_000
    /// How long a look at `data_version` stays good: a change made outside this process is seen
    /// by every request that starts this long after it commits.
    private let revalidationInterval: Duration

    /// One read-only connection and what it has learnt, behind one lock: concurrent requests take
    /// turns for a fraction of a microsecond, which is cheaper than giving each thread its own
    /// connection that would see every commit separately.
    private let state: Mutex<State>

    private struct State: ~Copyable {
        let connection: Connection
        var dataVersion: Int64 = -1
        var checkedAt: ContinuousClock.Instant?
        var principals: [[UInt8]: Principal] = [:]
    }

    init(path: String, revalidationInterval: Duration) throws {
        state = Mutex(State(connection: try Connection(path: path, readOnly: true)))
        self.revalidationInterval = revalidationInterval
    }

    /// The unrevoked key whose SHA-256 is `hash`, or nil.
    func principal(keyHash hash: [UInt8]) throws -> Principal? {
        try state.withLock { state in
            let now = ContinuousClock.now
            if state.checkedAt.map({ now - $0 >= revalidationInterval }) ?? true {
                let version = try state.connection.queryFirst("PRAGMA data_version") { $0.int64(0) } ?? -1
                if version != state.dataVersion {
                    state.principals.removeAll(keepingCapacity: true)
                    state.dataVersion = version
                }
                state.checkedAt = now
            }
            if let known = state.principals[hash] { return known }
            guard let found = try state.connection.principal(keyHash: hash) else { return nil }
            if state.principals.count >= Self.capacity { state.principals.removeAll(keepingCapacity: true) }
            state.principals[hash] = found
            return found
        }
    }

    /// Forgets every principal now: for key changes committed through this process's store.
    func invalidate() {
        state.withLock { state in
            state.principals.removeAll(keepingCapacity: true)
            state.checkedAt = nil
        }
    }
}
