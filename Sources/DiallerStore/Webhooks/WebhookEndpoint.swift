import Foundation

/// The events a partner's endpoint can receive; the raw values are those of `webhook_events.type`.
public enum WebhookEventType: String, Sendable, CaseIterable {
    /// A call reached `done`.
    case callFinished = "call.finished"
    /// A call was cancelled before it was dialled (by the partner, a suppression, an erasure).
    case callCancelled = "call.cancelled"
    /// A lead answered `Do Not Call` at intake.
    case leadSuppressed = "lead.suppressed"
}

/// A partner's webhook endpoint as the delivery worker and administrators see it.
public struct WebhookEndpoint: Sendable, Equatable {
    public let partnerID: Int64
    public let partner: String
    public let url: String
    public let events: [WebhookEventType]
    /// `whsec_` + base64 of the signing key, sealed with the secrets key (see `SecretsKey`).
    public let secret: StoredSecret
    /// The secret before the last rotation, still signing until `previousExpiresAt`.
    public let previousSecret: StoredSecret?
    public let previousExpiresAt: Timestamp?
    public let disabled: Bool

    /// Every secret that signs at `now`: the current one, then the previous one until it expires.
    public func signingSecrets(at now: Timestamp) -> [StoredSecret] {
        guard let previousSecret, let expires = previousExpiresAt, now < expires else { return [secret] }
        return [secret, previousSecret]
    }
}

/// What `partners webhook NAME …` asks for; nil fields are left as they are.
public struct WebhookEndpointChange: Sendable, Equatable {
    public var url: String?
    public var events: [WebhookEventType]?
    public var rotateSecret = false
    public var disable = false

    public init(url: String? = nil, events: [WebhookEventType]? = nil, rotateSecret: Bool = false, disable: Bool = false) {
        self.url = url
        self.events = events
        self.rotateSecret = rotateSecret
        self.disable = disable
    }
}

/// What a change did: the endpoint now, and the new secret when one was made (shown once).
public struct WebhookEndpointChangeReport: Sendable, Equatable {
    public let endpoint: WebhookEndpoint
    public let newSecret: String?
}

/// Why a webhook change was refused; nothing was written.
public enum WebhookEndpointRefusal: Error, Sendable, Equatable {
    case noSuchPartner(String)
    /// A partner's first endpoint needs `--url`.
    case urlRequired(String)
    case noSuchEndpoint(String)
    /// A new secret was needed (a first endpoint, a rotation) and no secrets key was given to seal it.
    case secretsKeyRequired(String)
}

/// Webhook signing secrets in the Standard Webhooks form: `whsec_` and the base64 of 32 random bytes.
public enum WebhookSecret {
    /// How long a rotated-out secret keeps signing: partners have a day to deploy the new one.
    public static let rotationOverlapSeconds = 86_400

    /// A new secret from the system's CSPRNG.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// The key bytes of a `whsec_` secret (the prefix is optional, as in the reference libraries).
    public static func keyBytes(of secret: String) -> [UInt8]? {
        let body = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Data(base64Encoded: body).map(Array.init)
    }
}
