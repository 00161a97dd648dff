/// The rules that hold a number's calls back across every lead type (types' own caps live on
/// `lead_types`): Ofcom's 72-hour hold after an abandoned call, and an optional rolling cap of
/// attempts per number per 24 hours (Florida and Oklahoma: 3).
public struct ContactRules: Sendable, Equatable {
    /// Seconds after an abandoned attempt during which the number is not called (default 72 h).
    public var abandonedHoldSeconds = 259_200
    /// Most attempts to one number in any 24 hours; nil means no cap.
    public var maxAttemptsPerNumberPerDay: Int?

    public init(abandonedHoldSeconds: Int = 259_200, maxAttemptsPerNumberPerDay: Int? = nil) {
        self.abandonedHoldSeconds = abandonedHoldSeconds
        self.maxAttemptsPerNumberPerDay = maxAttemptsPerNumberPerDay
    }
}

/// Why a queued call was not handed out, as `calls.held_by` and the metrics name it.
public enum HoldRule: String, Sendable, CaseIterable {
    case abandonedHold = "abandoned_hold"
    case dailyCap = "daily_cap"
}

/// A hold found at claim time: which rule, and the moment the number may be called again.
struct Hold {
    let rule: HoldRule
    let until: Timestamp
}
