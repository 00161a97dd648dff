import HTTPTypes
import Hummingbird

/// Reads the `Idempotency-Key` field (IETF httpapi draft "The Idempotency-Key HTTP Header Field"):
/// a structured-field string such as `"8e03978e-40d5"`, or the same characters bare, since many
/// clients send it so. Either way 1–255 printable ASCII characters (space to tilde).
enum IdempotencyKeyHeader {
    static let maxLength = 255

    /// nil when the request has no `Idempotency-Key`; throws a 400 when it has a malformed one
    /// (or more than one).
    static func key(of request: Request) throws -> String? {
        var found: String?
        for field in request.headers where field.name == .idempotencyKey {
            guard found == nil else { throw invalid }
            found = field.value
        }
        guard let found else { return nil }
        guard let key = parse(found) else { throw invalid }
        return key
    }

    static let invalidBody = #"{"error":"Invalid Idempotency-Key"}"#
    private static var invalid: APIError { .response(status: .badRequest, body: invalidBody) }

    /// The key a field value carries, or nil when it carries none.
    static func parse(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        var key: [UInt8] = []
        if bytes.first == UInt8(ascii: "\"") {
            // sf-string (RFC 9651 §3.3.3): escapes only for `"` and `\`, nothing after the closing quote.
            var index = 1
            var closed = false
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") {
                    closed = true
                    break
                }
                if byte == UInt8(ascii: "\\") {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") else { return nil }
                    key.append(bytes[index])
                    index += 1
                } else {
                    key.append(byte)
                }
            }
            guard closed, index == bytes.count else { return nil }
        } else {
            key = bytes
        }
        guard (1...maxLength).contains(key.count), key.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: key, as: UTF8.self)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    /// Set on an answer that repeats a recorded one instead of doing the work again.
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
