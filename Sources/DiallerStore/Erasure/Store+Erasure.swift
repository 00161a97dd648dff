extension Store {
    /// Erases a person's data by their mobile (E.164) in one writer job, then checkpoints so the
    /// write-ahead log keeps no earlier copy of the erased pages.
    public func erase(mobile: String, keepSuppression: Bool = true) async throws -> ErasureReport {
        let clock = self.clock
        let report = try await writer.write { try $0.eraseContact(mobile: mobile, keepSuppression: keepSuppression, at: clock.now()) }
        writer.queue.sync {
            writer.onQueue { connection in _ = try? connection.execute(script: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        return report
    }
}
