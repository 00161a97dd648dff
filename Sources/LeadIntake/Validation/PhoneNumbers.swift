import CPhoneNumber
import DiallerStore

/// Phone numbers checked against the numbering plan by libphonenumber and written as E.164.
public struct PhoneNumbers: Sendable {
    /// ISO 3166 alpha-2 region for numbers written without a country code.
    public let defaultRegion: String

    public init(defaultRegion: String) { self.defaultRegion = defaultRegion }

    /// Loads libphonenumber's metadata (~12 ms on first use) before the first request needs it.
    public static func warmUp() { dialler_phone_warm_up() }

    /// The E.164 form of `text`, or nil when it is not a valid number.
    public func e164(_ text: String) -> String? {
        parse(text)?.e164
    }

    /// The E.164 form of `text` and its line type, or nil when it is not a valid number.
    func parse(_ text: String) -> ParsedNumber? {
        // libphonenumber maps letters to keypad digits ("0800 FLOWERS"); a lead's number never has them.
        guard text.utf8.count <= 40, text.utf8.allSatisfy(Self.isAllowed) else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            var lineType = CInt(DIALLER_LINE_UNKNOWN.rawValue)
            let length = dialler_phone_parse(text, defaultRegion, buffer.baseAddress!, buffer.count, &lineType)
            guard length > 0 else { return nil }
            let e164 = String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(length)), as: UTF8.self)
            return ParsedNumber(e164: e164, lineType: LineType(libphonenumberValue: Int(lineType)))
        }
    }

    /// Digits and the punctuation people write numbers with.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: " "), UInt8(ascii: "-"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }
}

/// A valid number: its E.164 form and what kind of line it is.
struct ParsedNumber: Sendable, Equatable {
    let e164: String
    let lineType: LineType
}
