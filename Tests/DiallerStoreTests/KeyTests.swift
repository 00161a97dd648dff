import DiallerStore
import Testing

@Suite struct KeyTests {
    @Test func keysAreRandomAndOnlyTheirHashIsStored() async throws {
        try await withTemporaryStore { store, _ in
            let first = try await store.createKey(role: .partner, name: "acme", allowedTypes: ["motor-trade"])
            let second = try await store.createKey(role: .dialler, name: "floor-1")
            #expect(first.key != second.key)
            #expect(first.key.hasPrefix("pk_") && second.key.hasPrefix("dk_"))
            #expect(first.key.count >= 46) // 32 random bytes in base64url after the prefix
            #expect(APIKey.hash(first.key) == APIKey.hash(first.key))
            #expect(APIKey.hash(first.key).count == 32)
            let stored = try await store.scalar("SELECT group_concat(hex(key_sha256)) FROM api_keys") ?? ""
            #expect(!stored.contains(first.key) && !stored.contains(second.key))
            let everything = try await store.read { try $0.query("SELECT * FROM api_keys") { row in (0..<9).map { row.optionalText($0) ?? "" }.joined() } }
            #expect(!everything.joined().contains(first.key))
        }
    }

    @Test func authenticateFindsRoleAndTypesAndRevocationIsImmediate() async throws {
        try await withTemporaryStore { store, _ in
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

    @Test func twoKeysForOnePartnerShareThePartner() async throws {
        try await withTemporaryStore { store, _ in
            let a = try await store.partner("acme")
            let b = try await store.partner("acme")
            #expect(a.partnerID == b.partnerID)
            #expect(a.keyID != b.keyID)
        }
    }
}
