import Foundation

/// When a lead type's calls may be made: a local start and end time on some days of the week, in
/// the type's IANA time zone. An end at or before the start runs past midnight into the next day.
public struct CallingWindow: Sendable, Equatable {
    /// Minutes after local midnight; `endMinute` may be 1440 ("24:00").
    public let startMinute: Int
    public let endMinute: Int
    /// Calendar weekdays on which a window opens (1 = Sunday ... 7 = Saturday).
    public let weekdays: Set<Int>
    public let timeZone: TimeZone

    private static let dayNames = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    /// Reads the columns of `lead_types`; nil with no window (calls any time), throws when unusable.
    public static func from(typeName: String, start: String?, end: String?, days: String?, timeZone: String) throws -> CallingWindow? {
        guard let start, let end else { return nil }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw StoreError.invalidLeadType(name: typeName, reason: "unknown time zone \"\(timeZone)\"")
        }
        guard let startMinute = minutes(start), let endMinute = minutes(end) else {
            throw StoreError.invalidLeadType(name: typeName, reason: "window times must be HH:MM, got \"\(start)\" to \"\(end)\"")
        }
        var weekdays = Set(1...7)
        if let days {
            let names = days.lowercased().split(whereSeparator: { $0 == "," || $0 == " " })
            weekdays = Set(names.compactMap { dayNames[String($0)] })
            guard weekdays.count == Set(names).count, !weekdays.isEmpty else {
                throw StoreError.invalidLeadType(name: typeName, reason: "window days must be like mon,tue,wed, got \"\(days)\"")
            }
        }
        return CallingWindow(startMinute: startMinute, endMinute: endMinute, weekdays: weekdays, timeZone: zone)
    }

    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }

    /// `time` itself when the window is open then, otherwise the moment it next opens.
    public func earliestOpening(atOrAfter time: Timestamp) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = time.date
        let today = calendar.startOfDay(for: date)
        // Yesterday's window may still be open past midnight; a week ahead always holds an opening.
        for offset in -1...8 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                weekdays.contains(calendar.component(.weekday, from: day))
            else { continue }
            let opens = Self.localTime(startMinute, on: day, in: calendar)
            let closes =
                endMinute > startMinute
                ? Self.localTime(endMinute, on: day, in: calendar)
                : Self.localTime(endMinute, on: calendar.date(byAdding: .day, value: 1, to: day)!, in: calendar)
            if date < closes { return date < opens ? Timestamp(opens) : time }
        }
        return time
    }

    /// The moment of `minute` past midnight on `day`; a time skipped by a daylight-saving change
    /// becomes the first moment after the gap.
    private static func localTime(_ minute: Int, on day: Date, in calendar: Calendar) -> Date {
        if minute >= 1440 { return calendar.date(byAdding: .day, value: 1, to: day)! }
        return calendar.date(
            bySettingHour: minute / 60, minute: minute % 60, second: 0, of: day,
            matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward)!
    }
}
