import CPhoneNumber
import DiallerStore
import Testing

@testable import DiallerServer
@testable import LeadIntake

/// libphonenumber through the C shim: the default region's plan is checked first, then every
/// region's, so numbers of other countries must still be accepted when written with their code.
@Suite struct PhoneNumbersTests {
    static let gb = PhoneNumbers(defaultRegion: "GB")

    @Test(arguments: [
        ("07911 100001", "+447911100001"),
        ("+44 7911 100001", "+447911100001"),
        ("0044 7911-100001", "+447911100001"),
        ("(07911) 100.001", "+447911100001"),
        ("020 7946 0123", "+442079460123"),  // a London landline is a valid number too
        ("+1 212 736 5000", "+12127365000"),  // New York
        ("+33 6 12 34 56 78", "+33612345678"),  // a French mobile
        ("+353 85 123 4567", "+353851234567"),  // an Irish mobile
        ("+44 7781 123456", "+447781123456"),  // +44 outside Great Britain's own ranges (Guernsey)
    ])
    func validNumbersBecomeE164(text: String, e164: String) {
        #expect(Self.gb.e164(text) == e164)
    }

    @Test(arguments: ["07911", "+44 20 7946 012", "+999 123 456 789", "0800 FLOWERS", "not a number", "", "+", "07911 100001 ext"])
    func invalidNumbersAreRefused(text: String) {
        #expect(Self.gb.e164(text) == nil)
    }

    /// The line types a UK centre meets, and numbers of other countries (by libphonenumber).
    @Test(arguments: [
        ("07911 100001", LineType.mobile), ("020 7946 0123", .fixedLine), ("0800 123 4567", .tollFree),
        ("09098 790000", .premiumRate), ("070 4012 3456", .personalNumber), ("0300 123 4567", .uan),
        ("056 1234 5678", .voip), ("+44 7624 123456", .mobile), ("+1 212 736 5000", .fixedLineOrMobile),
    ])
    func numbersKnowTheirLineType(text: String, type: LineType) {
        #expect(Self.gb.parse(text)?.lineType == type)
    }

    @Test func theDefaultRegionDecidesNumbersWrittenWithoutACode() {
        let us = PhoneNumbers(defaultRegion: "US")
        #expect(us.e164("212 736 5000") == "+12127365000")
        #expect(us.e164("07911 100001") == nil)
        #expect(us.e164("+44 7911 100001") == "+447911100001")
    }

    /// The shim answers plain numbers itself (PlainNumber, RegionPlan) and hands everything else to
    /// libphonenumber: around known numbers of several countries, every variant (last digits
    /// changed, a digit more or fewer), written every way a partner might, must get
    /// libphonenumber's own answer. The regions include a non-main country of its calling code
    /// (JE), national-prefix transforms and carrier codes (AR, MX, BR), a trunk prefix other than
    /// 0 (RU) and leading zeros kept in the number (IT). The line type must be libphonenumber's
    /// too (GetNumberType); GB's seeds reach most types, so that the comparison shows something.
    @Test(arguments: [
        (
            "GB", "44",
            [
                "07911100001", "02079460123", "01632960001", "08001111111", "09098790000", "03001234567",
                "05512345678", "07624123456", "+33612345678", "+14155552671", "07040123456", "05612345678",
            ]
        ),
        ("US", "1", ["2127365000", "4155552671", "8005551234", "9005551234", "+447911100001"]),
        ("FR", "33", ["0612345678", "0123456789", "0800123456", "0912345678"]),
        ("DE", "49", ["015123456789", "03012345678", "08001234567", "0891234567"]),
        ("IE", "353", ["0851234567", "014567890", "1800123456"]),
        ("IT", "39", ["3123456789", "0612345678", "800123456"]),
        ("JE", "44", ["07797123456", "01534123456"]),
        ("AR", "54", ["01123456789", "0111523456789", "+5491123456789"]),
        ("MX", "52", ["5512345678", "0445512345678", "+5215512345678"]),
        ("BR", "55", ["1123456789", "11961234567", "02111961234567"]),
        ("RU", "7", ["84951234567", "89123456789", "+79123456789"]),
        ("AU", "61", ["0212345678", "0412345678", "1800123456"]),
        ("IN", "91", ["09876543210", "01123456789", "+911123456789"]),
    ])
    func theShimGivesLibphonenumbersAnswers(region: String, callingCode: String, seeds: [String]) {
        let numbers = PhoneNumbers(defaultRegion: region)
        var random = SeededGenerator(seed: 42)
        var valid = 0
        var invalid = 0
        var types = Set<LineType>()
        for seed in seeds {
            for variant in Self.variants(of: seed, count: 150, using: &random) {
                for written in Self.writings(of: variant, callingCode: callingCode, using: &random) {
                    let expected = Self.libraryParse(written, region: region)
                    #expect(numbers.parse(written) == expected, "'\(written)' in \(region)")
                    if let expected {
                        valid += 1
                        types.insert(expected.lineType)
                    } else {
                        invalid += 1
                    }
                }
            }
        }
        // Both answers must be common, or the comparison proves little.
        let total = valid + invalid
        #expect(valid > total / 10 && invalid > total / 10, "valid \(valid), invalid \(invalid)")
        if region == "GB" {
            #expect(types.isSuperset(of: [.mobile, .fixedLine, .tollFree, .premiumRate, .personalNumber, .uan, .voip]), "\(types)")
        }
    }

    /// Each thread keeps its own ICU matchers per region (RegionPlan): many tasks at once, switching
    /// regions, must still get libphonenumber's answers.
    @Test func concurrentCallersInSeveralRegionsGetTheLibrarysAnswers() async {
        let regions = ["GB", "US", "FR", "DE"]
        var random = SeededGenerator(seed: 7)
        let cases = (0..<4_000).map { index -> (text: String, region: String) in
            let digits = (0..<(9 + Int(random.next() % 4))).map { _ in String(random.next() % 10) }.joined()
            return ((index % 3 == 0 ? "+" : "0") + digits, regions[index % regions.count])
        }
        let expected = cases.map { Self.libraryParse($0.text, region: $0.region) }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mismatches = 0
                    for index in stride(from: task, to: cases.count, by: 8) {
                        let numbers = PhoneNumbers(defaultRegion: cases[index].region)
                        if numbers.parse(cases[index].text) != expected[index] { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        #expect(expected.contains { $0 != nil } && expected.contains { $0 == nil })
    }

    /// libphonenumber's own answer with the line type: Parse, IsValidNumber, Format, GetNumberType.
    static func libraryParse(_ text: String, region: String) -> ParsedNumber? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            var lineType = CInt(DIALLER_LINE_UNKNOWN.rawValue)
            let length = dialler_phone_parse_by_library(text, region, buffer.baseAddress!, buffer.count, &lineType)
            guard length > 0 else { return nil }
            let e164 = String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(length)), as: UTF8.self)
            return ParsedNumber(e164: e164, lineType: LineType(libphonenumberValue: Int(lineType)))
        }
    }

    /// `seed` with its last one to six digits replaced, and sometimes a digit added or dropped.
    static func variants(of seed: String, count: Int, using random: inout SeededGenerator) -> [String] {
        (0..<count).map { _ in
            var digits = Array(seed)
            let changed = Int(random.next() % 6) + 1
            for index in max(digits.count - changed, seed.hasPrefix("+") ? 3 : 1)..<digits.count {
                digits[index] = Character(String(random.next() % 10))
            }
            switch random.next() % 4 {
            case 0: digits.append(Character(String(random.next() % 10)))
            case 1: digits.removeLast()
            default: break
            }
            return String(digits)
        }
    }

    /// `number` as written, with spaces here and there, and (for a national number) with the
    /// calling code in front of it or of it less its first digit (a trunk prefix), with `+`, `00`
    /// or nothing before the code.
    static func writings(of number: String, callingCode: String, using random: inout SeededGenerator) -> [String] {
        var spaced = ""
        for character in number {
            spaced.append(character)
            if random.next() % 4 == 0 { spaced.append(" ") }
        }
        var writings = [number, " " + spaced + " "]
        if !number.hasPrefix("+") {
            let trunkless = String(number.dropFirst())
            writings += [
                "+" + callingCode + number, "+" + callingCode + trunkless, "+" + callingCode + " " + trunkless,
                callingCode + trunkless, "00" + callingCode + trunkless,
            ]
        }
        return writings
    }
}
