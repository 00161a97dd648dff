/// A partner's daily cap for one lead type, as `partners cap` set it, with today's count.
public struct PartnerCap: Sendable, Equatable {
    public let partner: String
    public let type: String
    /// Leads a day that may become calls; nil when the cap was lifted.
    public let perDay: Int?
    /// Leads of this partner and type that became calls on the type's local day so far.
    public let usedToday: Int
    /// The local day (`YYYY-MM-DD` in the type's time zone) `usedToday` counts.
    public let day: String
}

/// Why `partners cap` changed nothing.
public enum PartnerCapRefusal: Error, Sendable, Equatable {
    case noSuchPartner(String)
    case noSuchType(String)
}
