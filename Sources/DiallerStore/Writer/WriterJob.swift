/// One unit of work for the writer: run inside a batch's transaction, its caller resumed after the commit.
struct WriterJob: Sendable {
    /// Runs the work on the writer's connection; answers whether it succeeded, so the writer knows
    /// when a job's writes must be undone.
    let run: @Sendable (Connection) -> Bool
    /// Resumes the caller once the batch's fate is known: with the work's own result when the batch
    /// committed, or with `commitError` (the work may not have run at all).
    let finish: @Sendable (_ commitError: (any Error)?) -> Void
}

extension WriterJob {
    /// A job that runs `work` and hands its result to `continuation` after the commit.
    init<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        let slot = ResultSlot<T>()
        self.run = { connection in
            slot.result = Result { try work(connection) }
            if case .success = slot.result { return true }
            return false
        }
        self.finish = { commitError in
            if let commitError {
                continuation.resume(throwing: commitError)
            } else if let result = slot.result {
                continuation.resume(with: result)
            } else {
                continuation.resume(throwing: StoreError.transactionAborted)
            }
        }
    }
}

/// Carries a job's result from `run` to `finish`.
///
/// `@unchecked Sendable` because both closures run on the writer's serial queue, one after the other,
/// so the slot is never touched by two threads at once.
private final class ResultSlot<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
