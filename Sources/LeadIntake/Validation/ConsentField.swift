import DiallerStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension FieldReader {
    /// How far ahead of the server's clock a `given_at` may be: the partner's clock may run fast.
    static let consentClockSkew = 300

    /// The `consent` object (or a string holding one, as `data` may be); nil when blank. Every
    /// failing part is reported under `consent`, `"Consent given_at must be a UTC time."` and the like.
    mutating func consent(_ name: String, now: Timestamp) -> NewConsent? {
        let fields: JSONObject
        switch object[name] {
        case nil, .null?: return nil
        case .object(let inner)?: fields = inner
        case .string(let raw)?:
            let text = raw.trimmingWhitespace
            if text.isEmpty { return nil }
            guard case .object(let inner)? = try? JSONParser.parse(Array(text.utf8)) else {
                reject(name, "Consent must be an object.")
                return nil
            }
            fields = inner
        default:
            reject(name, "Consent must be an object.")
            return nil
        }
        let before = errors.messageCount
        let givenAtText = consentText(fields, "given_at", into: name, required: true, maxLength: 64)
        let source = consentText(fields, "source", into: name, required: true, maxLength: 2_000)
        let wording = consentText(fields, "wording", into: name, required: false, maxLength: 10_000)
        let ip = consentText(fields, "ip", into: name, required: false, maxLength: 64)
        let certificate = consentText(fields, "certificate", into: name, required: false, maxLength: 500)
        var givenAt: Timestamp?
        if let givenAtText {
            givenAt = Self.utcTime(givenAtText)
            if givenAt == nil {
                reject(name, "Consent given_at must be a UTC time.")
            } else if givenAt! > now.adding(seconds: Self.consentClockSkew) {
                reject(name, "Consent given_at cannot be in the future.")
            }
        }
        if let ip, !Self.isIPAddress(ip) { reject(name, "Consent ip is not a valid IP address.") }
        guard errors.messageCount == before, let givenAt, let source else { return nil }
        return NewConsent(givenAt: givenAt, source: source, wording: wording, ip: ip, certificate: certificate)
    }

    /// One string of the consent object, trimmed; nil when blank (an error too when `required`).
    private mutating func consentText(
        _ fields: JSONObject, _ key: String, into name: String, required: Bool,
        maxLength: Int
    ) -> String? {
        let label = "Consent \(key)"
        switch fields[key] {
        case nil, .null?:
            if required { reject(name, "\(label) cannot be blank.") }
            return nil
        case .string(let raw)?:
            let text = raw.trimmingWhitespace
            if text.isEmpty {
                if required { reject(name, "\(label) cannot be blank.") }
                return nil
            }
            guard text.unicodeScalars.count <= maxLength else {
                reject(name, "\(label) should contain at most \(maxLength) characters.")
                return nil
            }
            return text
        default:
            reject(name, "\(label) must be a string.")
            return nil
        }
    }

    /// An ISO-8601 time in UTC: `2026-11-29T10:15:00Z`, with up to nine digits of fractions of a
    /// second, and `Z` or `+00:00` (another offset is not UTC). Nil for anything else, a 30 February too.
    static func utcTime(_ text: String) -> Timestamp? {
        var bytes = Array(text.utf8)
        if bytes.count > 6, bytes.suffix(6).elementsEqual("+00:00".utf8) {
            bytes.removeLast(6)
            bytes.append(UInt8(ascii: "Z"))
        }
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        let seconds = Array(bytes[0..<19])
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (byte, expected) in zip(seconds, pattern) {
            if expected == UInt8(ascii: "d") {
                guard (48...57).contains(byte) else { return nil }
            } else if byte != expected && !(expected == UInt8(ascii: "T") && byte == UInt8(ascii: "t")) {
                return nil
            }
        }
        var millis = "000"
        let rest = bytes[19..<(bytes.count - 1)]
        if !rest.isEmpty {
            let fraction = rest.dropFirst()
            guard rest.first == UInt8(ascii: "."), (1...9).contains(fraction.count), fraction.allSatisfy({ (48...57).contains($0) })
            else { return nil }
            millis = String(decoding: (fraction + Array("00".utf8)).prefix(3), as: UTF8.self)
        }
        var normal = String(decoding: seconds, as: UTF8.self)
        normal = normal.prefix(10) + "T" + normal.dropFirst(11) + "." + millis + "Z"
        // The round trip refuses what the calendar does not have (month 13, 30 February, 25:00).
        guard let time = Timestamp(iso8601: normal), time.iso8601 == normal else { return nil }
        return time
    }

    /// An IPv4 or IPv6 address as written, by the C library's own reading.
    static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
