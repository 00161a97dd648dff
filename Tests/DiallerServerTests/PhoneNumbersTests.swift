@testable import DiallerServer
import Testing

/// libphonenumber through the C shim: the default region's plan is checked first, then every
/// region's, so numbers of other countries must still be accepted when written with their code.
@Suite struct PhoneNumbersTests {
    static let gb = PhoneNumbers(defaultRegion: "GB")

    @Test(arguments: [
        ("07911 100001", "+447911100001"),
        ("+44 7911 100001", "+447911100001"),
        ("0044 7911-100001", "+447911100001"),
        ("(07911) 100.001", "+447911100001"),
        ("020 7946 0123", "+442079460123"),           // a London landline is a valid number too
        ("+1 212 736 5000", "+12127365000"),          // New York
        ("+33 6 12 34 56 78", "+33612345678"),        // a French mobile
        ("+353 85 123 4567", "+353851234567"),        // an Irish mobile
        ("+44 7781 123456", "+447781123456"),         // +44 outside Great Britain's own ranges (Guernsey)
    ])
    func validNumbersBecomeE164(text: String, e164: String) {
        #expect(Self.gb.e164(text) == e164)
    }

    @Test(arguments: ["07911", "+44 20 7946 012", "+999 123 456 789", "0800 FLOWERS", "not a number", "", "+", "07911 100001 ext"])
    func invalidNumbersAreRefused(text: String) {
        #expect(Self.gb.e164(text) == nil)
    }

    @Test func theDefaultRegionDecidesNumbersWrittenWithoutACode() {
        let us = PhoneNumbers(defaultRegion: "US")
        #expect(us.e164("212 736 5000") == "+12127365000")
        #expect(us.e164("07911 100001") == nil)
        #expect(us.e164("+44 7911 100001") == "+447911100001")
    }
}
