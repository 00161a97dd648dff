// The dialling side's cost with a full abandoned-call window: claims/s (the guard's in-memory rate
// read plus `Store.claimNextCall`) and results/s (`Store.recordResult`, which counts each result in
// its group's per-minute counters), against a database whose last 24 hours hold 1,000,000 finished
// attempts, and against an empty one. Neither may fall below 0.9 × the empty figure.
//
//   swift run -c release --scratch-path .build-release store-benchmark dialling [CALLS] [RUNS] [TASKS] [ATTEMPTS]
import DiallerStore
import Foundation

/// One measurement of the dialling side.
struct DiallingFigures {
    var claimsPerSecond: Double
    var resultsPerSecond: Double
    /// Seconds the store took to open: the in-memory window is rebuilt from the counters then.
    var openSeconds: Double
}

/// Fills the window: `attempts` finished attempts spread over the last 24 hours (10 % abandoned,
/// 60 % connected, the rest unanswered), on one call of their own, with the per-minute counters
/// the result jobs would have written.
func prefillWindow(_ store: Store, attempts: Int) async throws {
    try await store.writer.write { connection in
        try connection.execute(
            script: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(attempts))
                INSERT INTO call_attempts(call_id, contact_id, dialler_id, claimed_at, finished_at, outcome, result, success)
                SELECT 1, 1, 2, t, t, 'prefill', r, CASE WHEN r = 'connected' THEN 0 END
                FROM (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (i * 86400.0 / \(attempts) + 60) || ' seconds') AS t,
                             CASE WHEN i % 10 = 0 THEN 'abandoned' WHEN i % 10 < 7 THEN 'connected' ELSE 'no_answer' END AS r
                      FROM n);
                INSERT INTO abandon_rate_minutes(call_group, minute, live, abandoned, unreported)
                SELECT 'motor-trade', substr(finished_at, 1, 17) || '00.000Z',
                       sum(result = 'connected' OR result = 'abandoned'), sum(result = 'abandoned'), 0
                FROM call_attempts WHERE outcome = 'prefill' GROUP BY 2;
                """)
    }
}

/// `calls` leads queued, claimed by `tasks` concurrent diallers, then each given a result.
func measureDialling(calls: Int, tasks: Int, windowAttempts: Int, migrations: String) async throws -> DiallingFigures {
    try await inTemporaryDirectory { directory in
        let configuration = StoreConfiguration(path: directory + "/dialling.sqlite", migrationsDirectory: migrations)
        let diallerKey: String
        do {  // The type, the keys, the queued calls and (for the full window) the history.
            let store = try Store(configuration)
            defer { store.close() }
            try await store.writer.write { try $0.execute(script: "INSERT INTO lead_types(name) VALUES ('motor-trade')") }
            let partner = try store.authenticate(key: try await store.createKey(role: .partner, name: "bench").key)!
            diallerKey = try await store.createKey(role: .dialler, name: "floor").key
            // Lead 1's call carries the prefilled history; the measured calls are the others. Every
            // call is due at once, so intake queued it; lead 1's is taken out of the queue again.
            for index in 0...calls { _ = try await store.submitLead(lead(index), from: partner) }
            if windowAttempts > 0 { try await prefillWindow(store, attempts: windowAttempts) }
            try await store.writer.write {
                try $0.execute(
                    script: """
                        DELETE FROM call_queue WHERE call_id = 1;
                        UPDATE calls SET state = 'waiting', queued_at = NULL WHERE call_id = 1;
                        """)
            }
        }
        // The set-up's writes (the prefill's checkpoint above all) are flushed before the clock
        // starts, so that the measured fsyncs do not queue behind the kernel's write-back of them.
        sync()
        try await Task.sleep(for: .seconds(2))
        let opened = Date()
        let store = try Store(configuration)
        defer { store.close() }
        let openSeconds = Date().timeIntervalSince(opened)
        guard let dialler = try store.authenticate(key: diallerKey) else { fatalError("the dialler key does not authenticate") }
        precondition(windowAttempts == 0 || store.abandonRate(callGroup: "motor-trade").live > 0, "the window was not rebuilt")

        let claimStart = Date()
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        // What the guard reads before each claim: the group's rate, from memory.
                        _ = store.abandonRate(callGroup: "motor-trade").reaches(limit: 3, minLive: 100)
                        guard let call = try await store.claimNextCall(callGroup: "motor-trade", by: dialler).call else { break }
                        mine.append(call.callID)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        let claimSeconds = Date().timeIntervalSince(claimStart)
        precondition(claimed.count == calls, "claimed \(claimed.count) of \(calls)")

        let outcomes: [Disposition] = [.connected, .connected, .noAnswer, .busy, .machine, .abandoned, .connected, .noAnswer]
        let resultStart = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in stride(from: task, to: claimed.count, by: tasks) {
                        let result = CallResult(outcome: "bench", result: outcomes[index % outcomes.count])
                        _ = try await store.recordResult(callID: claimed[index], result: result, by: dialler)
                    }
                }
            }
            try await group.waitForAll()
        }
        let resultSeconds = Date().timeIntervalSince(resultStart)
        return DiallingFigures(
            claimsPerSecond: Double(calls) / claimSeconds, resultsPerSecond: Double(calls) / resultSeconds,
            openSeconds: openSeconds)
    }
}

/// Runs the dialling comparison and prints each run and the medians.
func runDiallingBenchmark(_ arguments: [Int], migrations: String) async throws {
    let calls = arguments.count > 0 ? arguments[0] : 20_000
    let runs = arguments.count > 1 ? arguments[1] : 3
    let tasks = arguments.count > 2 ? arguments[2] : 16
    let attempts = arguments.count > 3 ? arguments[3] : 1_000_000
    print("dialling benchmark: \(calls) calls a run, \(runs) runs, \(tasks) concurrent diallers; full window \(attempts) attempts")
    var empty: [DiallingFigures] = []
    var full: [DiallingFigures] = []
    for run in 1...runs {
        // Alternate which goes first, so that the machine's slow spells and any order effect hit both alike.
        if run % 2 == 1 {
            empty.append(try await measureDialling(calls: calls, tasks: tasks, windowAttempts: 0, migrations: migrations))
            full.append(try await measureDialling(calls: calls, tasks: tasks, windowAttempts: attempts, migrations: migrations))
        } else {
            full.append(try await measureDialling(calls: calls, tasks: tasks, windowAttempts: attempts, migrations: migrations))
            empty.append(try await measureDialling(calls: calls, tasks: tasks, windowAttempts: 0, migrations: migrations))
        }
        print(
            String(
                format: "  run %d: empty window %6.0f claims/s %6.0f results/s   full window %6.0f claims/s %6.0f results/s (opened in %.2f s)",
                run, empty[run - 1].claimsPerSecond, empty[run - 1].resultsPerSecond,
                full[run - 1].claimsPerSecond, full[run - 1].resultsPerSecond, full[run - 1].openSeconds))
    }
    let claimsEmpty = median(empty.map(\.claimsPerSecond))
    let claimsFull = median(full.map(\.claimsPerSecond))
    let resultsEmpty = median(empty.map(\.resultsPerSecond))
    let resultsFull = median(full.map(\.resultsPerSecond))
    let claimRatios = zip(full, empty).map { $0.claimsPerSecond / $1.claimsPerSecond }
    let resultRatios = zip(full, empty).map { $0.resultsPerSecond / $1.resultsPerSecond }
    print(
        "full ÷ empty per run: claims " + claimRatios.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            + "; results " + resultRatios.map { String(format: "%.2f", $0) }.joined(separator: ", "))
    print(
        String(
            format: "median: claims/s empty %.0f, full %.0f; results/s empty %.0f, full %.0f; open with full window %.2f s",
            claimsEmpty, claimsFull, resultsEmpty, resultsFull, median(full.map(\.openSeconds))))
    // Each ratio taken within a run (the pair measured back to back), median over runs, as the
    // intake benchmark's rounds do: the machine's drift between runs is larger than the effect.
    print(
        String(
            format: "full ÷ empty, median over runs: claims %.2f, results %.2f (target: at least 0.90 each)",
            median(claimRatios), median(resultRatios)))
}
