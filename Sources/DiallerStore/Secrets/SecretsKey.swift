import Crypto
import Foundation

/// The key that seals partners' webhook secrets at rest (AES-256-GCM). It lives in a file outside
/// the database, is read once when a command starts, and is handed to the operations that seal
/// or open; the database holds only sealed bytes and the key's id.
public struct SecretsKey: Sendable {
    /// How many bytes a key file holds: a 256-bit AES key.
    public static let byteCount = 32

    /// A fingerprint of the key (12 hex digits), stored beside every secret it sealed, so that a
    /// database names the key it needs. Derived with HMAC, it tells nothing about the key itself.
    public let id: String
    /// The key's bytes: Crypto's `SymmetricKey` is not `Sendable`, so one is made for each use.
    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// The key of exactly 32 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
        let key = SymmetricKey(data: bytes)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("dialler secrets key id".utf8), using: key)
        id = mac.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    /// 32 bytes from the system's CSPRNG, for a new key file.
    public static func randomBytes() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The secret sealed with a fresh random nonce.
    public func seal(_ secret: String) throws -> SealedSecret {
        guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else {
            preconditionFailure("AES.GCM.seal makes a 12-byte nonce, whose box always has a combined form")
        }
        return SealedSecret(keyID: id, box: Array(combined))
    }

    /// The secret in clear; refuses one sealed with another key, or one whose bytes were altered.
    public func open(_ sealed: SealedSecret, partner: String) throws -> String {
        guard sealed.keyID == id else { throw SecretsRefusal.wrongKey(given: id, sealedWith: [sealed.keyID]) }
        do {
            let clear = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed.box), using: key)
            return String(decoding: clear, as: UTF8.self)
        } catch {
            throw SecretsRefusal.unreadable(partner: partner, keyID: sealed.keyID)
        }
    }

    /// A stored secret in clear: a sealed one opened, a clear one (a database not yet sealed) as it is.
    public func reveal(_ stored: StoredSecret, partner: String) throws -> String {
        switch stored {
        case .clear(let secret): secret
        case .sealed(let sealed): try open(sealed, partner: partner)
        }
    }
}
