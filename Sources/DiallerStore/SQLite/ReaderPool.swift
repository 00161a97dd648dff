import Dispatch
import Synchronization

/// Read-only connections that serve queries off the writer's queue, so a long read never blocks
/// intake. Each read block runs in one deferred transaction, as GRDB's `DatabasePool.read` does:
/// WAL pins a reader's snapshot only for the length of a transaction, so without it each SELECT
/// of a block could see a different commit.
final class ReaderPool: Sendable {
    private let path: String
    private let queue = DispatchQueue(label: "dialler.readers", attributes: .concurrent)
    /// Bounds how many readers exist at once; a waiting query blocks a reader-queue thread, not the caller.
    private let slots: DispatchSemaphore
    /// Idle connections, shared by the reader queue's threads.
    private let idle = Mutex<[ReaderConnection]>([])

    init(path: String, size: Int) {
        self.path = path
        self.slots = DispatchSemaphore(value: max(1, size))
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                self.slots.wait()
                defer { self.slots.signal() }
                continuation.resume(
                    with: Result {
                        let reader = try self.idle.withLock { $0.popLast() } ?? ReaderConnection(path: self.path)
                        defer { self.idle.withLock { $0.append(reader) } }
                        return try reader.connection.inSnapshot { try work(reader.connection) }
                    })
            }
        }
    }
}

/// A read-only connection moving between the pool's threads.
///
/// `@unchecked Sendable` because the pool hands it to one thread at a time: it is either in the
/// idle list (under the lock) or held by exactly one running query.
private final class ReaderConnection: @unchecked Sendable {
    let connection: Connection

    init(path: String) throws {
        connection = try Connection(path: path, readOnly: true)
    }
}
