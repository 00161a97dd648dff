extension Store {
    /// Runs one chunk of a bulk job as its own writer job, then pauses as `BulkPacing` says.
    func pacedWrite<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let (result, held, version) = try await writer.write { connection in
            let version = try connection.queryFirst("PRAGMA data_version") { $0.int64(0) } ?? 0
            let started = ContinuousClock.now
            let result = try work(connection)
            return (result, ContinuousClock.now - started, version)
        }
        let pause = bulkPacing.withLock { $0.pause(afterHolding: held, dataVersion: version) }
        try await Task.sleep(for: pause)
        return result
    }
}
