/// A secret as `SecretsKey.seal` leaves it: AES-GCM's nonce, ciphertext and tag, and the id of the key.
public struct SealedSecret: Sendable, Equatable {
    public let keyID: String
    /// The 12-byte nonce, the ciphertext and the 16-byte tag, in that order (`AES.GCM.SealedBox.combined`).
    public let box: [UInt8]

    public init(keyID: String, box: [UInt8]) {
        self.keyID = keyID
        self.box = box
    }
}

/// A webhook secret as its row holds it: sealed, or still in clear in a database from before
/// sealing (until the first start with a secrets key).
public enum StoredSecret: Sendable, Equatable {
    case clear(String)
    case sealed(SealedSecret)

    /// The id of the key that sealed it; nil while it is in clear.
    public var keyID: String? {
        if case .sealed(let sealed) = self { return sealed.keyID }
        return nil
    }
}

/// Why the webhook secrets could not be sealed, opened or re-sealed; nothing was written.
public enum SecretsRefusal: Error, Sendable, Equatable {
    /// The secrets are sealed with other keys than the one given (ids, sorted).
    case wrongKey(given: String, sealedWith: [String])
    /// A sealed secret did not open with its key: its bytes were altered.
    case unreadable(partner: String, keyID: String)
    /// A first key was offered (`secrets init`) to a database whose secrets are already sealed.
    case alreadySealed(keyIDs: [String])
    /// Webhook endpoints exist and no key was given to open their secrets.
    case keyRequired(endpoints: Int)
}
