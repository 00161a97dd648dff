import DiallerStore
import Foundation
import Testing

@Suite struct CallingWindowTests {
    func window(_ start: String, _ end: String, days: String? = nil, zone: String = "Europe/London") throws -> CallingWindow {
        try #require(try CallingWindow.from(typeName: "t", start: start, end: end, days: days, timeZone: zone))
    }

    func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    @Test func insideTheWindowIsUnchanged() throws {
        let weekdays = try window("09:00", "17:00", days: "mon,tue,wed,thu,fri")
        // Wednesday 25 November 2026, 10:00 UTC = 10:00 GMT.
        #expect(weekdays.earliestOpening(atOrAfter: at("2026-11-25T10:00:00.000Z")) == at("2026-11-25T10:00:00.000Z"))
    }

    @Test func beforeOrAfterTheWindowMovesToTheNextOpening() throws {
        let weekdays = try window("09:00", "17:00", days: "mon,tue,wed,thu,fri")
        #expect(weekdays.earliestOpening(atOrAfter: at("2026-11-25T07:30:00.000Z")) == at("2026-11-25T09:00:00.000Z"))
        #expect(weekdays.earliestOpening(atOrAfter: at("2026-11-25T17:00:00.000Z")) == at("2026-11-26T09:00:00.000Z"))
    }

    @Test func aWeekendIsSkipped() throws {
        let weekdays = try window("09:00", "17:00", days: "mon,tue,wed,thu,fri")
        // Friday 27 November 2026 18:00 → Monday 30 November 09:00.
        #expect(weekdays.earliestOpening(atOrAfter: at("2026-11-27T18:00:00.000Z")) == at("2026-11-30T09:00:00.000Z"))
        #expect(weekdays.earliestOpening(atOrAfter: at("2026-11-28T12:00:00.000Z")) == at("2026-11-30T09:00:00.000Z"))
    }

    @Test func daylightSavingChangesAreFollowed() throws {
        let daily = try window("09:00", "17:00")
        // 2026-03-29: the UK moves to BST; 09:00 local is 08:00 UTC from that day on.
        #expect(daily.earliestOpening(atOrAfter: at("2026-03-28T18:00:00.000Z")) == at("2026-03-29T08:00:00.000Z"))
        // 2026-10-25: back to GMT; 09:00 local is 09:00 UTC again.
        #expect(daily.earliestOpening(atOrAfter: at("2026-10-24T18:00:00.000Z")) == at("2026-10-25T09:00:00.000Z"))
        // An opening inside the skipped hour (01:00–02:00 on 29 March) opens when the clocks resume.
        let night = try window("01:30", "05:00")
        #expect(night.earliestOpening(atOrAfter: at("2026-03-28T23:00:00.000Z")) == at("2026-03-29T01:00:00.000Z"))
    }

    @Test func otherTimeZonesAndWindowsPastMidnight() throws {
        let newYork = try window("09:00", "17:00", zone: "America/New_York")
        #expect(newYork.earliestOpening(atOrAfter: at("2026-11-25T10:00:00.000Z")) == at("2026-11-25T14:00:00.000Z"))
        let evening = try window("20:00", "02:00")
        #expect(evening.earliestOpening(atOrAfter: at("2026-11-25T01:00:00.000Z")) == at("2026-11-25T01:00:00.000Z"))
        #expect(evening.earliestOpening(atOrAfter: at("2026-11-25T03:00:00.000Z")) == at("2026-11-25T20:00:00.000Z"))
    }

    @Test func scheduledCallsAreMovedIntoTheirTypesWindow() async throws {
        try await withTemporaryStore { store, _ in
            // The store's clock starts on Wednesday 25 November 2026 at 10:00 UTC.
            try await store.exec(
                """
                INSERT INTO lead_types(name, window_start, window_end, window_days) VALUES ('motor-trade', '09:00', '17:00', 'mon,tue,wed,thu,fri');
                """)
            let partner = try await store.partner("acme")
            let lead = try await store.submitLead(.sample(delays: 8 * 3600), from: partner)
            #expect(lead.dueAt == at("2026-11-26T09:00:00.000Z"))
            #expect(try await store.scalar("SELECT due_at FROM calls_report") == "2026-11-26T09:00:00Z")
        }
    }

    @Test func badWindowsAreRejected() {
        #expect(throws: StoreError.self) { try CallingWindow.from(typeName: "t", start: "9am", end: "17:00", days: nil, timeZone: "Europe/London") }
        #expect(throws: StoreError.self) {
            try CallingWindow.from(typeName: "t", start: "09:00", end: "17:00", days: "funday", timeZone: "Europe/London")
        }
        #expect(throws: StoreError.self) { try CallingWindow.from(typeName: "t", start: "09:00", end: "17:00", days: nil, timeZone: "Nowhere/Town") }
    }
}
