/// What happened on a dialling attempt, as the dialler reports it; raw values are those of
/// `call_attempts.result`.
public enum Disposition: String, Sendable, CaseIterable, Equatable {
    /// A person reached an agent.
    case connected
    /// A person answered and no agent was free.
    case abandoned
    /// An answering machine or voicemail.
    case machine
    case noAnswer = "no_answer"
    case busy
    /// Unobtainable or disconnected.
    case invalidNumber = "invalid_number"
    /// A network or dialler fault.
    case failed

    /// Whether a person answered: the denominator of the abandoned-call rate.
    public var isLive: Bool { self == .connected || self == .abandoned }

    /// "connected, abandoned, …", in the order the documentation lists them.
    public static var listed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// An administrator's rule for one lead type and result: dial again after a delay, a limited
/// number of times.
public struct RecyclingRule: Sendable, Equatable {
    /// The lead type's name.
    public let type: String
    public let result: Disposition
    public let retryAfterSeconds: Int
    /// Retries allowed for this result; when they are spent the call finishes (`recycle_limit`).
    public let maxRetries: Int

    public init(type: String, result: Disposition, retryAfterSeconds: Int, maxRetries: Int) {
        self.type = type
        self.result = result
        self.retryAfterSeconds = retryAfterSeconds
        self.maxRetries = maxRetries
    }

    /// The longest delay a rule may set: a year, as for `retry_in`.
    public static let maxRetryAfterSeconds = 31_536_000
}
