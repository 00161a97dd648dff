/// A lead that passed validation, ready to be saved. Phone numbers are already E.164.
public struct NewLead: Sendable, Equatable {
    public var type: String
    public var subtype: String?
    public var firstName: String
    public var surname: String
    public var email: String
    public var mobile: String
    public var mobileLineType: LineType
    public var otherPhone: String?
    public var otherPhoneLineType: LineType?
    /// Compact JSON text of an object.
    public var data: String?
    /// Seconds to wait before calling; nil means the type's default delay.
    public var delays: Int?
    /// The request body exactly as received.
    public var rawRequest: String
    /// The evidence that the person agreed to be called, when the partner sent it.
    public var consent: NewConsent?

    /// Line types default to `unknown`: the server always passes the parsed number's own.
    public init(
        type: String, subtype: String? = nil, firstName: String, surname: String, email: String,
        mobile: String, mobileLineType: LineType = .unknown, otherPhone: String? = nil,
        otherPhoneLineType: LineType? = nil, data: String? = nil, delays: Int? = nil, rawRequest: String,
        consent: NewConsent? = nil
    ) {
        self.type = type
        self.subtype = subtype
        self.firstName = firstName
        self.surname = surname
        self.email = email
        self.mobile = mobile
        self.mobileLineType = mobileLineType
        self.otherPhone = otherPhone
        self.otherPhoneLineType = otherPhone == nil ? nil : (otherPhoneLineType ?? .unknown)
        self.data = data
        self.delays = delays
        self.rawRequest = rawRequest
        self.consent = consent
    }
}

/// What became of a saved lead; the raw values are those of `leads.outcome`.
public enum LeadOutcome: String, Sendable, CaseIterable {
    /// A new call was scheduled.
    case processed
    /// The type does not exist, is inactive, or the partner may not submit it.
    case unknownType = "unknown_type"
    /// The mobile is on a do-not-call list.
    case suppressed
    /// A call for this mobile and type is not finished yet.
    case alreadyScheduled = "already_scheduled"
    /// A call for this mobile and type was dialled to the end within the type's de-duplication window.
    case existingContact = "existing_contact"
    /// The mobile's line type is not on the type's `line_types` allow-list.
    case lineTypeNotAccepted = "line_type_not_accepted"
    /// The partner's daily cap for the type was reached: the lead made no call.
    case dailyCap = "daily_cap"
}

/// The saved lead's id, its outcome and, when processed, its call.
public struct SavedLead: Sendable, Equatable {
    public let leadID: Int64
    public let outcome: LeadOutcome
    public let callID: Int64?
    public let dueAt: Timestamp?
    /// The list that suppressed the lead, when its outcome is `suppressed`.
    public var suppressedBy: String? = nil
    /// The do-not-call lists holding the number that the lead's consent let its call past
    /// (lists marked `consent_overrides`); empty when none did.
    public var consentOverrode: [String] = []
}

/// What one submitted lead came to: saved (whatever its outcome), or refused for its consent.
public typealias LeadSubmission = Result<SavedLead, ConsentRefusal>
