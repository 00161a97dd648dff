/// One call group's live and abandoned calls per minute, in minute order, over the rolling
/// window: a claim reads its totals without touching the database.
struct AbandonWindow: Sendable {
    private(set) var minutes: [(minute: Int64, live: Int, abandoned: Int)] = []
    private(set) var live = 0
    private(set) var abandoned = 0

    /// Adds a committed result's counts to its minute (results almost always arrive in order; one
    /// that commits a little late is put in its place).
    mutating func add(minute: Int64, live: Int, abandoned: Int) {
        guard live > 0 || abandoned > 0 else { return }
        self.live += live
        self.abandoned += abandoned
        if let last = minutes.last, last.minute <= minute {
            if last.minute == minute {
                minutes[minutes.count - 1].live += live
                minutes[minutes.count - 1].abandoned += abandoned
            } else {
                minutes.append((minute, live, abandoned))
            }
            return
        }
        if let index = minutes.firstIndex(where: { $0.minute >= minute }) {
            if minutes[index].minute == minute {
                minutes[index].live += live
                minutes[index].abandoned += abandoned
            } else {
                minutes.insert((minute, live, abandoned), at: index)
            }
        } else {
            minutes.append((minute, live, abandoned))
        }
    }

    /// Drops the minutes that have left the window at minute `now`.
    mutating func slide(to now: Int64) {
        let first = now - AbandonRate.windowMinutes + 1
        let gone = minutes.prefix { $0.minute < first }
        guard !gone.isEmpty else { return }
        for old in gone {
            live -= old.live
            abandoned -= old.abandoned
        }
        minutes.removeFirst(gone.count)
    }

    /// Seconds from `now` until enough old minutes have left the window for the rate to fall
    /// below `limit` or the sample below `minLive`, if no other result arrives; nil when it already has.
    func secondsUntilBelow(limit: Double, minLive: Int, now: Timestamp) -> Int? {
        var live = self.live
        var abandoned = self.abandoned
        func reaches() -> Bool { AbandonRate(callGroup: "", live: live, abandoned: abandoned).reaches(limit: limit, minLive: minLive) }
        guard reaches() else { return nil }
        for old in minutes {
            live -= old.live
            abandoned -= old.abandoned
            if !reaches() {
                let leaves = Timestamp(minute: old.minute + AbandonRate.windowMinutes)
                return max(1, Int((leaves.milliseconds - now.milliseconds + 999) / 1000))
            }
        }
        return nil
    }
}
