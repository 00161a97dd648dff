/// The evidence a partner sends that this person agreed to be called: when, where and in what
/// words, from which address, and a TrustedForm or Jornaya certificate. Stored beside its lead.
public struct NewConsent: Sendable, Equatable {
    public var givenAt: Timestamp
    /// The page or script where it was given: a URL or text.
    public var source: String
    /// The words the person agreed to.
    public var wording: String?
    public var ip: String?
    /// A TrustedForm or Jornaya certificate URL or id.
    public var certificate: String?

    public init(givenAt: Timestamp, source: String, wording: String? = nil, ip: String? = nil, certificate: String? = nil) {
        self.givenAt = givenAt
        self.source = source
        self.wording = wording
        self.ip = ip
        self.certificate = certificate
    }
}

/// Why a lead's type refused it for its consent: nothing was saved, and the partner gets a `400`.
public enum ConsentRefusal: Error, Sendable, Equatable {
    /// The type requires consent and the lead carries none.
    case missing
    /// The consent was given more than the type's `consent_max_age_days` ago.
    case tooOld(maxAgeDays: Int)
}
