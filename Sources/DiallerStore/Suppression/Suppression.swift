/// A named do-not-call list as administrators and metrics see it.
public struct SuppressionList: Sendable, Equatable {
    public let name: String
    public let numbers: Int
    /// When an import last completed; nil for a list only ever added to by hand.
    public let loadedAt: Timestamp?
    public let createdAt: Timestamp
    /// Whether a lead with consent may be called though its number is on this list.
    public var consentOverrides = false
}

/// Why `consent_overrides` cannot be set on a list.
public enum SuppressionListRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// `internal` holds people who objected to us: no consent overrides an objection.
    case internalList
    case noSuchList(String)

    public var description: String {
        switch self {
        case .internalList: "list internal holds opt-outs and Do Not Call results: consent never overrides it"
        case .noSuchList(let name): "there is no list \(name)"
        }
    }
}

/// One list's entry for a number: which list, why, since when.
public struct SuppressionEntry: Sendable, Equatable {
    public let list: String
    public let reason: String?
    public let addedAt: Timestamp
}

/// What suppressing a number changed: whether it was new on the list, and the calls it cancelled.
public struct SuppressionChange: Sendable, Equatable {
    public let added: Bool
    public let cancelledCalls: [Int64]
}

/// What one chunk of an import wrote.
public struct ImportChunkReport: Sendable, Equatable {
    public let added: Int
    public let cancelledCalls: Int
}

/// Where a replacing import writes: the list's next generation, out of sight until `finishReplace`.
public struct ReplaceTarget: Sendable, Equatable {
    public let listID: Int64
    public let generation: Int64
}

/// What a replacing import's switch will do, read before it so that the switch holds the write
/// lock briefly (see `Connection.replacementPlan`).
package struct ReplacementPlan: Sendable {
    /// Numbers on the new generation.
    package let numbers: Int
    /// The newest call when the plan was read; calls after it are looked at by the switch itself.
    package let lastCallID: Int64
    /// Calls up to `lastCallID`, open or being dialled, whose number is on the new generation.
    package let candidates: [Int64]
}

/// The list every opt-out goes on: people who objected to us.
public let internalSuppressionList = "internal"
