import Foundation
import Synchronization

/// A lead type's local day: its date and its bounds in UTC (midnight to midnight in the type's
/// time zone, so 23 or 25 hours on a daylight-saving change).
struct LocalDay: Sendable, Equatable {
    let day: String
    let startsAt: Timestamp
    let endsAt: Timestamp

    /// The last day worked out per time zone: every lead of a capped partner asks, and a day
    /// changes once in 86,400 seconds. Behind a lock because it is static; in practice only the
    /// writer's thread takes it, so it is never contended.
    private static let recent = Mutex<[String: LocalDay]>([:])

    /// The local day in `timeZone` (an identifier `validateLeadTypes` has checked) holding `time`.
    static func containing(_ time: Timestamp, timeZone: String) -> LocalDay {
        if let known = recent.withLock({ $0[timeZone] }), known.startsAt <= time, time < known.endsAt { return known }
        let day = compute(time, timeZone: TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)!)
        recent.withLock { $0[timeZone] = day }
        return day
    }

    static func compute(_ time: Timestamp, timeZone: TimeZone) -> LocalDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.startOfDay(for: time.date)
        let next = calendar.startOfDay(for: calendar.date(byAdding: .hour, value: 36, to: start)!)
        let parts = calendar.dateComponents([.year, .month, .day], from: start)
        let text = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        return LocalDay(day: text, startsAt: Timestamp(start), endsAt: Timestamp(next))
    }
}
