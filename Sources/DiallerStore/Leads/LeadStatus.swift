/// What became of a lead, for its partner's status look-up; times as the views show them.
public struct LeadStatus: Sendable, Equatable {
    public let leadID: Int64
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public let receivedAt: String
    /// The type as the partner sent it.
    public let type: String
    /// `leads.outcome`: processed, unknown_type, line_type_not_accepted, suppressed, already_scheduled,
    /// existing_contact or daily_cap.
    public let outcome: String
    /// The lead's call; nil when the lead made none.
    public let call: CallStatus?
}

/// Where a lead's call is.
public struct CallStatus: Sendable, Equatable {
    public let callID: Int64
    public let state: String
    public let dueAt: String
    public let attempts: Int
    public let finishedAt: String?
    /// The dialler's (or the system's) word on how the call ended.
    public let outcome: String?
    /// The last attempt's result (`connected`, `no_answer`…); nil before any, or when the dialler sent none.
    public let result: String?
}
