import Synchronization

/// The in-memory copy of the abandoned-call counters, per call group: rebuilt from
/// `abandon_rate_minutes` when the store opens, and updated after each result's commit, so a claim
/// learns its group's rate without SQL.
final class AbandonRates: Sendable {
    /// Read by every claim and updated after every result's commit, from any task.
    private let windows = Mutex<[String: AbandonWindow]>([:])

    init(rows: [(callGroup: String, minute: Int64, live: Int, abandoned: Int)]) {
        windows.withLock { windows in
            for row in rows { windows[row.callGroup, default: AbandonWindow()].add(minute: row.minute, live: row.live, abandoned: row.abandoned) }
        }
    }

    func add(callGroup: String, minute: Int64, live: Int, abandoned: Int) {
        windows.withLock { $0[callGroup, default: AbandonWindow()].add(minute: minute, live: live, abandoned: abandoned) }
    }

    /// The group's rate at `now` (0 of 0 for a group with no live calls in the window).
    func rate(callGroup: String, at now: Timestamp) -> AbandonRate {
        windows.withLock { windows in
            guard windows[callGroup] != nil else { return AbandonRate(callGroup: callGroup, live: 0, abandoned: 0) }
            windows[callGroup]!.slide(to: now.minute)
            let window = windows[callGroup]!
            return AbandonRate(callGroup: callGroup, live: window.live, abandoned: window.abandoned)
        }
    }

    /// Every group that has had a live call since the store opened or in the window before.
    func all(at now: Timestamp) -> [AbandonRate] {
        windows.withLock { windows in
            windows.keys.sorted().map { group in
                windows[group]!.slide(to: now.minute)
                let window = windows[group]!
                return AbandonRate(callGroup: group, live: window.live, abandoned: window.abandoned)
            }
        }
    }

    /// See `AbandonWindow.secondsUntilBelow`.
    func secondsUntilBelow(callGroup: String, limit: Double, minLive: Int, at now: Timestamp) -> Int? {
        windows.withLock { windows in
            guard windows[callGroup] != nil else { return nil }
            windows[callGroup]!.slide(to: now.minute)
            return windows[callGroup]!.secondsUntilBelow(limit: limit, minLive: minLive, now: now)
        }
    }
}
