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
}
