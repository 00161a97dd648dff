/// What erasing a person's data changed, for the administrator's report.
public struct ErasureReport: Sendable, Equatable {
    /// Whether the number belonged to a contact at all.
    public let contactFound: Bool
    /// Leads whose personal fields were blanked.
    public let leadsErased: Int
    /// Waiting and queued calls cancelled (outcome `erased`).
    public let callsCancelled: Int
    /// The lists that still hold the number, so that it is never called again.
    public let suppressionListsKept: [String]
    /// Suppression entries removed because the administrator asked for it.
    public let suppressionsRemoved: Int
}

/// What one retention chunk did.
public struct RetentionReport: Sendable, Equatable {
    public var leadsErased = 0
    public var contactsErased = 0
    public init(leadsErased: Int = 0, contactsErased: Int = 0) {
        self.leadsErased = leadsErased
        self.contactsErased = contactsErased
    }
}
