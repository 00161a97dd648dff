/// One call group's abandoned-call rate over the last 24 hours: abandoned calls as a share of
/// live calls (connected + abandoned), Ofcom's measure.
public struct AbandonRate: Sendable, Equatable {
    public let callGroup: String
    public let live: Int
    public let abandoned: Int

    public init(callGroup: String, live: Int, abandoned: Int) {
        self.callGroup = callGroup
        self.live = live
        self.abandoned = abandoned
    }

    /// Percent, 0 with no live calls.
    public var percent: Double { live > 0 ? 100 * Double(abandoned) / Double(live) : 0 }

    /// Whether the rate is at or over `limit` percent on a sample of at least `minLive` live calls.
    public func reaches(limit: Double, minLive: Int) -> Bool {
        live >= minLive && live > 0 && Double(abandoned) * 100 >= limit * Double(live)
    }

    /// Minutes in the rolling window: the current UTC minute and the 1,439 before it.
    public static let windowMinutes: Int64 = 1_440
}

extension Timestamp {
    /// Whole UTC minutes since the epoch: the abandoned-call counters' key.
    var minute: Int64 { milliseconds.floorDivided(by: 60_000).0 }

    /// The first moment of the minute `minute`.
    init(minute: Int64) { self.init(milliseconds: minute * 60_000) }
}
