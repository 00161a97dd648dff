import DiallerStore
import Foundation
import Logging
import Synchronization

/// Concurrent traffic through the real store — leads from many callers, cancels, claims and the
/// promotion worker — until the power is cut under it.
struct PowerCutLoad: Sendable {
    let store: Store
    let partner: Principal
    let dialler: Principal
    let ledger: AcknowledgementLedger
    let mobiles: MobileSequence
    /// Tasks submitting leads at once.
    let submitters: Int

    /// Runs the traffic until `ledger` holds `acknowledgedLeads` saved leads and `lag` more has
    /// passed, then cuts `disk`'s power into `target` and waits for every caller to see the
    /// outage (their calls fail once the disk is gone).
    func runUntilCut(
        afterLeads acknowledgedLeads: Int, lag: Duration, disk: PowerCutDisk, into target: String,
        seed: UInt64, tear: Bool, sharedMemory: PowerCutDisk.SharedMemoryFate
    ) async throws -> PowerCutDisk.Report {
        let cutting = PowerSwitch()
        let worker = HousekeepingWorker(store: store, interval: 3600, logger: Logger(label: "power-cut") { _ in SwiftLogNoOpLogHandler() })
        let store = store
        let partner = partner
        let dialler = dialler
        let ledger = ledger
        let mobiles = mobiles
        /// Records a failure as the store's fault unless the power was already going.
        @Sendable func failed(_ error: any Error) {
            if !cutting.isCutting { ledger.failedBeforeCut(error) }
        }
        return try await withThrowingTaskGroup(of: PowerCutDisk.Report?.self) { group in
            for _ in 0..<submitters {
                group.addTask {
                    while !Task.isCancelled {
                        let mobile = mobiles.next()
                        do {
                            ledger.saved(try await store.submitLead(.sample(mobile: mobile, delays: 0), from: partner), mobile: mobile)
                        } catch {
                            failed(error)
                            return nil
                        }
                    }
                    return nil
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    guard let mobile = ledger.randomProcessedMobile() else {
                        try await Task.sleep(for: .milliseconds(1))
                        continue
                    }
                    do {
                        let outcome = try await store.cancelCall(type: "motor-trade", mobile: mobile, partner: partner)
                        if case .cancelled(let callID) = outcome { ledger.cancelled(callID: callID) }
                    } catch {
                        failed(error)
                        return nil
                    }
                }
                return nil
            }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        if let call = try await store.claimNextCall(callGroup: nil, by: dialler).call {
                            ledger.claimed(callID: call.callID, by: dialler)
                        } else {
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    } catch {
                        failed(error)
                        return nil
                    }
                }
                return nil
            }
            group.addTask {
                // promoteNow logs its failures instead of throwing: after the cut it simply finds nothing to do.
                while !cutting.isCutting, !Task.isCancelled {
                    await worker.promoteNow()
                    try await Task.sleep(for: .milliseconds(2))
                }
                return nil
            }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(20)
                while ledger.savedCount < acknowledgedLeads, ContinuousClock.now < deadline,
                    ledger.snapshot.errorsBeforeCut.isEmpty
                {
                    try await Task.sleep(for: .milliseconds(1))
                }
                try await Task.sleep(for: lag)
                cutting.startCut()
                return try disk.cut(into: target, seed: seed, tear: tear, sharedMemory: sharedMemory)
            }
            var report: PowerCutDisk.Report?
            for try await finished in group where finished != nil { report = finished }
            return report!
        }
    }
}

/// Distinct valid-looking mobiles for a whole run, shared by its tasks.
final class MobileSequence: Sendable {
    private let counter = Atomic<Int>(0)

    func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "+44771" + String(String(n + 10_000_000).suffix(7))
    }
}

/// Set just before the cut, so the callers' failures after it are not counted against the store.
final class PowerSwitch: Sendable {
    private let cutting = Atomic<Bool>(false)

    var isCutting: Bool { cutting.load(ordering: .sequentiallyConsistent) }

    func startCut() { cutting.store(true, ordering: .sequentiallyConsistent) }
}
