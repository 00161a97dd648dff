import Crypto
import Foundation

/// What a key is allowed to do.
public enum KeyRole: String, Sendable, CaseIterable {
    case partner
    case dialler
}

/// The caller behind a valid, unrevoked key.
public struct Principal: Sendable, Equatable {
    public let keyID: Int64
    public let role: KeyRole
    public let name: String
    /// The partner the key belongs to; nil for dialler keys.
    public let partnerID: Int64?
    /// Lead types this partner key may submit; nil allows every type.
    public let allowedTypes: [String]?

    /// Whether this key may submit leads of `type`.
    public func maySubmit(type: String) -> Bool { allowedTypes?.contains(type) ?? true }
}

/// A key as `keys list` shows it: never the key itself.
public struct KeyRecord: Sendable, Equatable {
    public let keyID: Int64
    public let role: KeyRole
    public let name: String
    public let allowedTypes: [String]?
    public let createdAt: String
    public let revokedAt: String?
}

/// Generating and hashing API keys. Only the SHA-256 of a key is ever stored.
public enum APIKey {
    /// A new key: 32 random bytes from the system's CSPRNG, URL-safe base64, with a role prefix
    /// so a key pasted in the wrong place is recognisable.
    public static func generate(role: KeyRole) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let body = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (role == .partner ? "pk_" : "dk_") + body
    }

    /// SHA-256 of the key's UTF-8 bytes. Keys are looked up by this hash, so comparing a presented
    /// key never touches the stored secret and reveals nothing about it through timing.
    public static func hash(_ key: String) -> [UInt8] {
        var key = key
        return key.withUTF8 { Array(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }
}
