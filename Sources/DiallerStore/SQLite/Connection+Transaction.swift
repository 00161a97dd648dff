extension Connection {
    /// Runs `work` in an immediate transaction of its own, rolled back if it throws.
    public func inTransaction<T>(_ work: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try work()
            try execute("COMMIT")
            return result
        } catch {
            if !isAutocommit { try? execute(script: "ROLLBACK") }
            throw error
        }
    }

    /// Runs `work` in a deferred read transaction: every SELECT in it sees the commit the first one
    /// saw (sqlite.org/isolation.html). Ended with ROLLBACK, since a read has nothing to commit.
    func inSnapshot<T>(_ work: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        defer { if !isAutocommit { try? execute(script: "ROLLBACK") } }
        return try work()
    }
}
