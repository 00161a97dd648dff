import DiallerStore
import Foundation

/// One seed's run: a store on a power-cut disk, traffic, a cut at a random moment, the store
/// reopened on what the disk kept and checked against what its callers were told; `cuts` times over.
struct PowerCutRun {
    let seed: UInt64
    /// The writer's sync mode: `.full` is the product; the others are the broken stores the
    /// harness must catch.
    var synchronous = SynchronousMode.full

    /// Each cut's findings and report, in order.
    func run(cuts: Int) async throws -> [(findings: PowerCutFindings, report: PowerCutDisk.Report)] {
        try await withTemporaryDirectory { root in
            var random = SeededGenerator(seed: seed)
            var directory = root + "/boot-0"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let clock = ManualClock(iso8601: "2026-11-25T10:00:00.000Z")
            // Set-up on a durable store, closed (checkpointed) before the disk starts counting.
            let (partner, dialler) = try await Self.seed(configuration(directory), clock: clock)
            let ledger = AcknowledgementLedger()
            let mobiles = MobileSequence()
            var disk = try PowerCutDisk(directory: directory)
            var store = try await open(configuration(directory), clock: clock, random: &random)
            var results: [(findings: PowerCutFindings, report: PowerCutDisk.Report)] = []
            for cut in 1...cuts {
                let target = root + "/boot-\(cut)"
                let load = PowerCutLoad(
                    store: store, partner: partner, dialler: dialler, ledger: ledger, mobiles: mobiles,
                    submitters: Int.random(in: 2...24, using: &random))
                let report = try await load.runUntilCut(
                    afterLeads: ledger.savedCount + Int.random(in: 20...300, using: &random),
                    lag: .microseconds(Int.random(in: 0...3_000, using: &random)),
                    disk: disk, into: target, seed: random.next(), tear: Bool.random(using: &random),
                    sharedMemory: PowerCutDisk.SharedMemoryFate.allCases.randomElement(using: &random)!)
                store.close()
                // The machine is back: the same service starts on what the disk kept.
                disk = try PowerCutDisk(directory: target)
                directory = target
                do {
                    store = try await open(configuration(directory), clock: clock, random: &random)
                } catch {
                    results.append((PowerCutFindings(openFailure: "\(error)"), report))
                    return results
                }
                results.append((try await store.powerCutFindings(against: ledger), report))
            }
            store.close()
            withExtendedLifetime(disk) {}
            return results
        }
    }

    private func configuration(_ directory: String) -> StoreConfiguration {
        var configuration = StoreConfiguration(path: directory + "/power-cut.sqlite", migrationsDirectory: migrationsDirectory)
        configuration.synchronous = synchronous
        configuration.readers = 2
        return configuration
    }

    /// Opens the store and gives its writer a small checkpoint threshold (and sometimes a WAL size
    /// limit), so that checkpoints, WAL restarts and truncations happen often enough to be cut.
    private func open(
        _ configuration: StoreConfiguration, clock: ManualClock,
        random: inout SeededGenerator
    ) async throws -> Store {
        let store = try Store(configuration, clock: clock)
        let pages = [8, 16, 32, 64, 128, 256].randomElement(using: &random)!
        let limitWAL = Bool.random(using: &random)
        try await store.writer.write { connection in
            try connection.execute(script: "PRAGMA wal_autocheckpoint = \(pages)")
            if limitWAL { try connection.execute(script: "PRAGMA journal_size_limit = 65536") }
        }
        return store
    }

    /// The lead type and the two keys, made durable: a store with the product's settings, closed.
    private static func seed(_ configuration: StoreConfiguration, clock: ManualClock) async throws -> (Principal, Principal) {
        var durable = configuration
        durable.synchronous = .full
        let store = try Store(durable, clock: clock)
        defer { store.close() }
        try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
        return (try await store.partner("acme"), try await store.dialler("floor"))
    }
}
