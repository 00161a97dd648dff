extension Store {
    /// The principal behind an unrevoked key, found by the key's hash on the calling thread
    /// (see `KeyCache`: revocation by anyone takes effect on the next request).
    public func authenticate(key: String) throws -> Principal? {
        try keys.principal(keyHash: APIKey.hash(key))
    }

    /// Creates a key and answers it: the only time the key itself exists outside its holder.
    public func createKey(role: KeyRole, name: String, allowedTypes: [String]? = nil) async throws -> (id: Int64, key: String) {
        let key = APIKey.generate(role: role)
        let hash = APIKey.hash(key)
        let clock = self.clock
        let id = try await writer.write {
            try $0.insertKey(role: role, name: name, allowedTypes: allowedTypes, hash: hash, at: clock.now())
        }
        return (id, key)
    }

    public func listKeys() async throws -> [KeyRecord] {
        try await read { try $0.listKeys() }
    }

    /// Revokes a key at once; answers false when there is no such unrevoked key.
    public func revokeKey(id: Int64) async throws -> Bool {
        let clock = self.clock
        let revoked = try await writer.write { try $0.revokeKey(id: id, at: clock.now()) }
        keys.invalidate()
        return revoked
    }
}
