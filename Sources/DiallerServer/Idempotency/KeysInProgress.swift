import Synchronization

/// The Idempotency-Keys whose first request is being processed now, per partner, so a second
/// request with the same key gets `409` instead of racing the first.
///
/// In-process is enough: one server process owns the database's writer, so every request that
/// could record a key passes through this set. (Should a second process ever record the same key
/// meanwhile, the writer job's insert finds the record and saves nothing: see `IdempotencyKeyTaken`.)
final class KeysInProgress: Sendable {
    private struct Entry: Hashable {
        let partnerID: Int64
        let key: String
    }

    /// A lock because any request's task starts and ends a key; held only to insert or remove.
    private let entries = Mutex<Set<Entry>>([])

    /// Marks the key as in progress; false when it already is.
    func begin(partnerID: Int64, key: String) -> Bool {
        entries.withLock { $0.insert(Entry(partnerID: partnerID, key: key)).inserted }
    }

    func end(partnerID: Int64, key: String) {
        _ = entries.withLock { $0.remove(Entry(partnerID: partnerID, key: key)) }
    }
}
