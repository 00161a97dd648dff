import Synchronization

/// Principals of keys already seen, revalidated against SQLite's `PRAGMA data_version`, so most
/// requests authenticate without reading the key's row.
///
/// `data_version` changes whenever any other connection commits: this server's writer, a
/// `keys revoke` in another process, a supervisor's `UPDATE`. When it has moved since the last
/// look, every entry is dropped, so a revoked key fails on the very next request. Under load the
/// writer commits every few milliseconds while dozens of requests arrive between two commits: those
/// pay for the version check alone (measured: the full lookup cost ~23 µs a request, because each
/// commit makes a reader drop its page cache and read the key's pages again).
final class KeyCache: Sendable {
    /// Most entries kept; past it the cache starts afresh (keys are few; this bounds a flood).
    static let capacity = 10_000

    /// One read-only connection and what it has learnt, behind one lock: concurrent requests take
    /// turns for a few microseconds, which is cheaper than giving each thread its own connection
    /// that would see every commit separately.
    private let state: Mutex<State>

    private struct State: ~Copyable {
        let connection: Connection
        var dataVersion: Int64 = -1
        var principals: [[UInt8]: Principal] = [:]
    }

    init(path: String) throws {
        state = Mutex(State(connection: try Connection(path: path, readOnly: true)))
    }

    /// The unrevoked key whose SHA-256 is `hash`, or nil.
    func principal(keyHash hash: [UInt8]) throws -> Principal? {
        try state.withLock { state in
            let version = try state.connection.queryFirst("PRAGMA data_version") { $0.int64(0) } ?? -1
            if version != state.dataVersion {
                state.principals.removeAll(keepingCapacity: true)
                state.dataVersion = version
            }
            if let known = state.principals[hash] { return known }
            guard let found = try state.connection.principal(keyHash: hash) else { return nil }
            if state.principals.count >= Self.capacity { state.principals.removeAll(keepingCapacity: true) }
            state.principals[hash] = found
            return found
        }
    }
}
