import CPhoneNumber

/// Phone numbers checked against the numbering plan by libphonenumber and written as E.164.
struct PhoneNumbers: Sendable {
    /// ISO 3166 alpha-2 region for numbers written without a country code.
    let defaultRegion: String

    /// Loads libphonenumber's metadata (~12 ms on first use) before the first request needs it.
    static func warmUp() { dialler_phone_warm_up() }

    /// The E.164 form of `text`, or nil when it is not a valid number.
    func e164(_ text: String) -> String? {
        // libphonenumber maps letters to keypad digits ("0800 FLOWERS"); a lead's number never has them.
        guard text.utf8.count <= 40, text.utf8.allSatisfy(Self.isAllowed) else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let length = dialler_phone_to_e164(text, defaultRegion, buffer.baseAddress!, buffer.count)
            guard length > 0 else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(length)), as: UTF8.self)
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
