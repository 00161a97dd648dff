import DiallerStore
import Synchronization

/// Everything the store answered as done, across power cuts: all of it must survive every later cut.
final class AcknowledgementLedger: Sendable {
    /// What callers were told.
    struct Entries {
        /// Mobile → lead id of every lead answered saved.
        var leads: [String: Int64] = [:]
        /// Mobiles whose saved lead got a call, for the cancels to aim at.
        var processed: [String] = []
        /// Calls answered `.cancelled`.
        var cancelled: Set<Int64> = []
        /// Calls handed to the dialler → the dialler's key.
        var claimed: [Int64: Int64] = [:]
        /// Errors a caller met before the power was cut: the store must not fail without cause.
        var errorsBeforeCut: [String] = []
    }

    private let entries = Mutex(Entries())

    func saved(_ lead: SavedLead, mobile: String) {
        entries.withLock {
            $0.leads[mobile] = lead.leadID
            if lead.callID != nil { $0.processed.append(mobile) }
        }
    }

    func cancelled(callID: Int64) { entries.withLock { _ = $0.cancelled.insert(callID) } }

    func claimed(callID: Int64, by dialler: Principal) { entries.withLock { $0.claimed[callID] = dialler.keyID } }

    func failedBeforeCut(_ error: any Error) { entries.withLock { $0.errorsBeforeCut.append("\(error)") } }

    /// A processed lead's mobile, picked at random, for a cancel.
    func randomProcessedMobile() -> String? { entries.withLock { $0.processed.randomElement() } }

    var savedCount: Int { entries.withLock { $0.leads.count } }

    var snapshot: Entries { entries.withLock { $0 } }
}
