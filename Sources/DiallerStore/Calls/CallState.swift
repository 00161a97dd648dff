/// Where a call is in its life; the raw values are those of `calls.state`.
public enum CallState: String, Sendable, CaseIterable {
    case waiting, queued, dialling, done, cancelled
}

/// What `/lead/cancel` found and did.
public enum CancelOutcome: Sendable, Equatable {
    /// The call was waiting or queued; it is now cancelled and out of the queue.
    case cancelled(callID: Int64)
    /// This partner has no such call.
    case notFound
    /// The call was already being dialled, finished or cancelled.
    case alreadyProcessed(CallState)
}

/// Which step of a cancel failed; the server answers each with its own warning.
public enum CancelFailure: Error, Sendable {
    /// Taking the call out of the call queue failed.
    case callGroup(underlying: any Error)
    /// Saving the cancellation failed.
    case save(underlying: any Error)
}

/// A call handed to a dialler, with what the agent needs to make it.
public struct ClaimedCall: Sendable, Equatable {
    public let callID: Int64
    public let leadID: Int64
    public let mobile: String
    public let otherPhone: String?
    public let firstName: String
    public let surname: String
    public let email: String
    public let type: String
    public let subtype: String?
    public let callGroup: String
    /// Compact JSON text of an object, or nil.
    public let data: String?
    public let attempt: Int
    public let leaseExpiresAt: Timestamp
}

/// What a dialler reports at the end of an attempt.
public struct CallResult: Sendable, Equatable {
    /// The dialler's own word on the attempt.
    public var outcome: String
    /// Try again after this many seconds (raised to the type's `min_retry_seconds`); nil finishes the call.
    public var retryAfterSeconds: Int?
    /// The call was abandoned (answered with no agent): the number is held for the abandoned hold.
    public var abandoned = false
    /// The person asked not to be called: the number goes on the internal list, and the call ends.
    public var doNotCall = false
    /// What happened, when the dialler says (older diallers do not: the attempt counts in no rate).
    public var result: Disposition?
    /// The centre's own "it worked" on a connected call.
    public var success = false

    public init(
        outcome: String, retryAfterSeconds: Int? = nil, abandoned: Bool = false, doNotCall: Bool = false,
        result: Disposition? = nil, success: Bool = false
    ) {
        self.outcome = outcome
        self.retryAfterSeconds = retryAfterSeconds
        self.abandoned = abandoned || result == .abandoned
        self.doNotCall = doNotCall
        self.result = result ?? (abandoned ? .abandoned : nil)
        self.success = success
    }
}

/// Where a result left the call, and why the system finished it when it did so itself.
public struct ResultOutcome: Sendable, Equatable {
    public let state: CallState
    /// `max_attempts`, `suppressed`, `do_not_call` or `recycle_limit` when a retry was asked for
    /// (or a rule would have retried) but the call finished.
    public let reason: String?
    /// Other calls to the number cancelled because the person asked not to be called.
    public let cancelledCalls: [Int64]
    /// When a waiting call is due again.
    public let dueAt: Timestamp?
    /// The recycling rule that decided, when the dialler sent no `retry_in` and a rule applied.
    public let rule: Disposition?
    /// The call's group, whose abandoned-call rate the result counts in.
    public let callGroup: String

    public init(
        state: CallState, reason: String?, cancelledCalls: [Int64], dueAt: Timestamp? = nil, rule: Disposition? = nil,
        callGroup: String = ""
    ) {
        self.state = state
        self.reason = reason
        self.cancelledCalls = cancelledCalls
        self.dueAt = dueAt
        self.rule = rule
        self.callGroup = callGroup
    }
}

/// What a claim found: the call handed out, if any, and the queued calls it passed over.
public struct ClaimReport: Sendable, Equatable {
    public let call: ClaimedCall?
    /// Calls cancelled at claim time because their number is on a list.
    public let cancelledSuppressed: Int
    /// Calls moved back to waiting at claim time, by the rule that held them.
    public let held: [HoldRule]
    /// Seconds from the call's due time to this claim, when it is the call's first attempt.
    public var firstClaimDelaySeconds: Double? = nil
}

/// Why a dialler's result was not accepted.
public enum CallResultRejection: Error, Sendable, Equatable {
    case noSuchCall
    /// The call is not being dialled (its lease expired, or it was never claimed).
    case notDialling(CallState)
    /// Another dialler key holds the call now (this one's lease expired and the call was claimed again).
    case claimedByAnotherDialler
}
