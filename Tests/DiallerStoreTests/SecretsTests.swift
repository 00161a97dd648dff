import DiallerStore
import Foundation
import Testing

/// Sealing webhook secrets in the store: each change is one writer job that writes all or nothing.
@Suite struct SecretsTests {
    static func key() throws -> SecretsKey { try #require(SecretsKey(bytes: SecretsKey.randomBytes())) }

    @Test func aKeyOpensOnlyWhatItSealedAndAnAlteredBoxIsRefused() throws {
        let key = try Self.key()
        let other = try Self.key()
        let sealed = try key.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(try key.open(sealed, partner: "acme") == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(sealed.box.count == 12 + 38 + 16 && sealed.keyID == key.id && key.id.count == 12)
        #expect(try key.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").box != sealed.box, "a fresh nonce each time")
        #expect(throws: SecretsRefusal.wrongKey(given: other.id, sealedWith: [key.id])) { try other.open(sealed, partner: "acme") }
        var altered = sealed.box
        altered[20] ^= 1
        #expect(throws: SecretsRefusal.unreadable(partner: "acme", keyID: key.id)) {
            try key.open(SealedSecret(keyID: key.id, box: altered), partner: "acme")
        }
        #expect(SecretsKey(bytes: Array(repeating: 1, count: 31)) == nil && SecretsKey(bytes: Array(repeating: 1, count: 33)) == nil)
        #expect(SecretsKey(bytes: Array(repeating: 1, count: 32))?.id == SecretsKey(bytes: Array(repeating: 1, count: 32))?.id)
    }

    @Test func aResealThatCannotOpenOneSecretChangesNone() async throws {
        try await withTemporaryStore { store, _ in
            let key = try Self.key()
            let new = try Self.key()
            for name in ["acme", "bravo", "carol"] {
                _ = try await store.partner(name)
                _ = try await store.changeWebhookEndpoint(partner: name, WebhookEndpointChange(url: "https://\(name).example/hooks"), key: key)
            }
            _ = try await store.changeWebhookEndpoint(partner: "acme", WebhookEndpointChange(rotateSecret: true), key: key)
            // bravo's sealed bytes altered: its secret no longer opens.
            try await store.exec(
                "UPDATE webhook_endpoints SET sealed_secret = zeroblob(60) WHERE partner_id = (SELECT partner_id FROM partners WHERE name = 'bravo')")
            let before = try await store.scalar("SELECT group_concat(hex(sealed_secret) || secret_key_id, ',') FROM webhook_endpoints")
            await #expect(throws: SecretsRefusal.unreadable(partner: "bravo", keyID: key.id)) {
                try await store.resealWebhookSecrets(from: key, to: new)
            }
            #expect(try await store.scalar("SELECT group_concat(hex(sealed_secret) || secret_key_id, ',') FROM webhook_endpoints") == before)
            // A second key is refused by every change that would mix two keys in the table.
            await #expect(throws: SecretsRefusal.wrongKey(given: new.id, sealedWith: [key.id])) {
                try await store.changeWebhookEndpoint(partner: "carol", WebhookEndpointChange(rotateSecret: true), key: new)
            }
            await #expect(throws: SecretsRefusal.wrongKey(given: new.id, sealedWith: [key.id])) {
                try await store.sealWebhookSecrets(with: new)
            }
            #expect(try await store.webhookSecretsState() == WebhookSecretsState(endpoints: 3, keyIDs: [key.id]))
        }
    }
}
