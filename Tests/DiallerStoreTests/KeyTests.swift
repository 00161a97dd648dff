import DiallerStore
import Testing

@Suite struct KeyTests {
    @Test func keysAreRandomAndOnlyTheirHashIsStored() async throws {
        try await withTemporaryStore { store, _ in
            let first = try await store.createKey(role: .partner, name: "acme", allowedTypes: ["motor-trade"])
            let second = try await store.createKey(role: .dialler, name: "floor-1")
            #expect(first.key != second.key)
            #expect(first.key.hasPrefix("pk_") && second.key.hasPrefix("dk_"))
            #expect(first.key.count >= 46)  // 32 random bytes in base64url after the prefix
            #expect(APIKey.hash(first.key) == APIKey.hash(first.key))
            #expect(APIKey.hash(first.key).count == 32)
            let stored = try await store.scalar("SELECT group_concat(hex(key_sha256)) FROM api_keys") ?? ""
            #expect(!stored.contains(first.key) && !stored.contains(second.key))
            let everything = try await store.read {
                try $0.query("SELECT * FROM api_keys") { row in (0..<9).map { row.optionalText($0) ?? "" }.joined() }
            }
            #expect(!everything.joined().contains(first.key))
        }
    }

    /// The cache never looks for outside changes here: revocation through the store must drop it.
    @Test func authenticateFindsRoleAndTypesAndRevocationIsImmediate() async throws {
        try await withTemporaryStore(configure: { $0.keyRevalidationInterval = .seconds(3600) }) { store, _ in
            let created = try await store.createKey(role: .partner, name: "acme", allowedTypes: ["motor-trade"])
            let principal = try #require(try store.authenticate(key: created.key))
            #expect(principal.role == .partner)
            #expect(principal.name == "acme")
            #expect(principal.allowedTypes == ["motor-trade"])
            #expect(principal.partnerID != nil)
            #expect(try store.authenticate(key: created.key + "x") == nil)
            #expect(try await store.revokeKey(id: created.id))
            #expect(try store.authenticate(key: created.key) == nil)
            #expect(try await store.revokeKey(id: created.id) == false)
            let listed = try await store.listKeys()
            #expect(listed.count == 1 && listed[0].revokedAt != nil)
        }
    }

    /// A second store on the same file stands for `keys revoke` in another process: its commit
    /// reaches this store's cache through `PRAGMA data_version` once the last look is old enough.
    @Test func revocationByAnotherConnectionIsSeenWithinTheRevalidationInterval() async throws {
        try await withTemporaryStore { store, clock in
            let created = try await store.createKey(role: .partner, name: "acme")
            #expect(try store.authenticate(key: created.key) != nil)
            let elsewhere = try Store(store.configuration, clock: clock)
            defer { elsewhere.close() }
            #expect(try await elsewhere.revokeKey(id: created.id))
            try await Task.sleep(for: .milliseconds(5))
            #expect(try store.authenticate(key: created.key) == nil)
        }
    }

    @Test func twoKeysForOnePartnerShareThePartner() async throws {
        try await withTemporaryStore { store, _ in
            let a = try await store.partner("acme")
            let b = try await store.partner("acme")
            #expect(a.partnerID == b.partnerID)
            #expect(a.keyID != b.keyID)
        }
    }
}
