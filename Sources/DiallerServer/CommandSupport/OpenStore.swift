import DiallerStore

/// Opens the store, naming the database in any SQLite failure (ArgumentParser prints an error
/// that is `CustomStringConvertible` as one line and exits non-zero).
func openStore(
    _ configuration: StoreConfiguration, clock: any WallClock = SystemClock(),
    onBatch: (@Sendable (BatchReport) -> Void)? = nil
) throws -> Store {
    do {
        return try Store(configuration, clock: clock, onBatch: onBatch)
    } catch let error as SQLiteError {
        throw CommandFailure("cannot use database \(configuration.path): \(error.message)")
    }
}

extension DatabaseOptions {
    /// Runs an administrator's command on the database as it is (refused if its schema is behind),
    /// and closes the store whatever `body` does: the one place a command opens one.
    func withStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        let store = try openStore(currentSchemaConfiguration())
        defer { store.close() }
        return try await body(store)
    }
}
