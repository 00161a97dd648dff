import Foundation

extension Connection {
    /// The unrevoked key whose hash is `hash`.
    func principal(keyHash hash: [UInt8]) throws -> Principal? {
        try queryFirst(
            """
            SELECT key_id, role, name, partner_id, allowed_types
            FROM api_keys WHERE key_sha256 = ? AND revoked_at IS NULL
            """, .blob(hash)
        ) { row in
            Principal(
                keyID: row.int64(0), role: KeyRole(rawValue: row.text(1)) ?? .dialler, name: row.text(2),
                partnerID: row.optionalInt64(3), allowedTypes: row.optionalText(4).map(Self.decodeTypeList))
        }
    }

    /// Stores a new key's hash, creating the partner on first use; answers the key's id.
    func insertKey(role: KeyRole, name: String, allowedTypes: [String]?, hash: [UInt8], at now: Timestamp) throws -> Int64 {
        var partnerID: Int64?
        if role == .partner {
            try execute(
                "INSERT INTO partners(name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
                .text(name), .text(now.iso8601))
            partnerID = try queryFirst("SELECT partner_id FROM partners WHERE name = ?", .text(name)) { $0.int64(0) }
        }
        let types = allowedTypes.map(Self.encodeTypeList)
        return try insert(
            """
            INSERT INTO api_keys(role, name, partner_id, allowed_types, key_sha256, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, .text(role.rawValue), .text(name), .integer(partnerID), .text(types), .blob(hash), .text(now.iso8601))
    }

    func listKeys() throws -> [KeyRecord] {
        try query("SELECT key_id, role, name, allowed_types, created_at, revoked_at FROM api_keys ORDER BY key_id") { row in
            KeyRecord(
                keyID: row.int64(0), role: KeyRole(rawValue: row.text(1)) ?? .dialler, name: row.text(2),
                allowedTypes: row.optionalText(3).map(Self.decodeTypeList),
                createdAt: row.text(4), revokedAt: row.optionalText(5))
        }
    }

    /// Revokes a key; answers false when there is no such unrevoked key.
    func revokeKey(id: Int64, at now: Timestamp) throws -> Bool {
        try execute("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", .text(now.iso8601), .integer(id)) == 1
    }

    private static func encodeTypeList(_ types: [String]) -> String {
        String(decoding: try! JSONEncoder().encode(types), as: UTF8.self)
    }

    private static func decodeTypeList(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
