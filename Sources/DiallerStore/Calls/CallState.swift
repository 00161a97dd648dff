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
public enum CallResult: Sendable, Equatable {
    /// The call is over: `done`, with the dialler's outcome.
    case finished(outcome: String)
    /// Try again after `seconds`: the call waits again (moved into the type's window).
    case retry(outcome: String, afterSeconds: Int)
}

/// Why a dialler's result was not accepted.
public enum CallResultRejection: Error, Sendable, Equatable {
    case noSuchCall
    /// The call is not being dialled (its lease expired, or it was never claimed).
    case notDialling(CallState)
    /// Another dialler key holds the call now (this one's lease expired and the call was claimed again).
    case claimedByAnotherDialler
}
