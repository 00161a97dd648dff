import Crypto
import DiallerStore
import Foundation

/// Standard Webhooks signatures (standardwebhooks.com): `v1,` and the base64 of
/// HMAC-SHA256(key bytes of the secret, "{webhook-id}.{webhook-timestamp}.{body}"), one per
/// signing secret, separated by spaces.
enum WebhookSignature {
    /// The `webhook-signature` header for this attempt: a `v1,` signature per secret, in order.
    static func header(id: String, timestamp: Int64, body: String, secrets: [String]) -> String {
        secrets.compactMap { signature(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// One `v1,` signature, or nil for a secret that is not base64 (the table's CHECK keeps them out).
    static func signature(id: String, timestamp: Int64, body: String, secret: String) -> String? {
        guard let key = WebhookSecret.keyBytes(of: secret) else { return nil }
        let message = Data("\(id).\(timestamp).\(body)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}
