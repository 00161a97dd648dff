extension Store {
    /// Adds or replaces the recycling rule for a lead type and result; throws
    /// `StoreError.invalidRecyclingRule` naming it when it is unusable, changing nothing.
    public func setRecyclingRule(type: String, result: String, retryAfterSeconds: Int, maxRetries: Int) async throws {
        try await writer.write {
            try $0.setRecyclingRule(type: type, result: result, retryAfterSeconds: retryAfterSeconds, maxRetries: maxRetries)
        }
    }

    /// Removes a rule; false when there was none.
    public func removeRecyclingRule(type: String, result: String) async throws -> Bool {
        try await writer.write { try $0.removeRecyclingRule(type: type, result: result) }
    }

    /// Every recycling rule, by type and result.
    public func recyclingRules() async throws -> [RecyclingRule] {
        try await read { try $0.recyclingRules() }
    }
}
