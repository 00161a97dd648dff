import DiallerStore
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test(arguments: ["1970-01-01T00:00:00.000Z", "2026-11-29T10:15:00.123Z", "2000-02-29T23:59:59.999Z", "2100-03-01T00:00:00.000Z"])
    func roundTripsThroughText(_ text: String) throws {
        let time = try #require(Timestamp(iso8601: text))
        #expect(time.iso8601 == text)
    }

    @Test func agreesWithFoundation() {
        for seconds in stride(from: 0.0, through: 4_102_444_800, by: 86_400 * 37.3) {
            let date = Date(timeIntervalSince1970: seconds)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            #expect(Timestamp(date).iso8601 == formatter.string(from: date))
        }
    }

    @Test func rejectsOtherForms() {
        #expect(Timestamp(iso8601: "2026-11-29T10:15:00Z") == nil)
        #expect(Timestamp(iso8601: "2026-11-29 10:15:00.000Z") == nil)
        #expect(Timestamp(iso8601: "2026-1a-29T10:15:00.000Z") == nil)
    }
}
