import Foundation

/// Reads one request's fields by the contract's rules, collecting every failure.
///
/// Blank means absent, `null`, or a string that is empty after trimming white space; strings are
/// trimmed before they are checked and returned.
public struct FieldReader {
    let object: JSONObject
    public private(set) var errors = ValidationErrors()

    public init(_ object: JSONObject) { self.object = object }

    /// A string field, trimmed; nil when blank (an error too when `required`).
    public mutating func string(_ name: String, label: String, required: Bool, maxLength: Int? = nil) -> String? {
        switch object[name] {
        case nil, .null?:
            return blank(name, label, required)
        case .string(let raw)?:
            let text = Self.trimmed(raw)
            if text.isEmpty { return blank(name, label, required) }
            if let maxLength, text.unicodeScalars.count > maxLength {
                errors.add(name, "\(label) should contain at most \(maxLength) characters.")
                return nil
            }
            return text
        default:
            errors.add(name, "\(label) must be a string.")
            return nil
        }
    }

    /// A phone number in E.164. Whole JSON numbers are read as their digits, since a number such
    /// as 7840258823 is what a spreadsheet export sends for 07840 258823.
    public mutating func phone(_ name: String, label: String, required: Bool, numbers: PhoneNumbers) -> String? {
        parsedPhone(name, label: label, required: required, numbers: numbers)?.e164
    }

    /// `phone`, with the number's line type.
    mutating func parsedPhone(_ name: String, label: String, required: Bool, numbers: PhoneNumbers) -> ParsedNumber? {
        let text: String?
        if case .number(let digits)? = object[name], digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            text = digits
        } else {
            text = string(name, label: label, required: required)
        }
        guard let text else { return nil }
        guard let parsed = numbers.parse(text) else {
            errors.add(name, "\(label) is not a valid phone number.")
            return nil
        }
        return parsed
    }

    /// An e-mail address.
    mutating func email(_ name: String, label: String) -> String? {
        guard let text = string(name, label: label, required: true) else { return nil }
        guard EmailAddress.isValid(text) else {
            errors.add(name, "\(label) is not a valid email address.")
            return nil
        }
        return text
    }

    /// Whole seconds in `range`, from a number or a numeric string; nil when blank.
    public mutating func integer(_ name: String, label: String, range: ClosedRange<Int>) -> Int? {
        let text: String
        switch object[name] {
        case nil, .null?: return nil
        case .number(let lexeme)?: text = lexeme
        case .string(let raw)?:
            text = Self.trimmed(raw)
            if text.isEmpty { return nil }
        default:
            errors.add(name, "\(label) must be an integer.")
            return nil
        }
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            errors.add(name, "\(label) must be an integer.")
            return nil
        }
        // Beyond Int the value is out of range either way; only its sign matters.
        let magnitude = Int(digits) ?? Int.max
        let value = negative ? -magnitude : magnitude
        if value < range.lowerBound {
            errors.add(name, "\(label) must be no less than \(range.lowerBound).")
            return nil
        }
        if value > range.upperBound {
            errors.add(name, "\(label) must be no greater than \(range.upperBound).")
            return nil
        }
        return value
    }

    /// The `test` flag: `true` or `"true"` sets it; blank leaves it unset.
    public mutating func testFlag(_ name: String, label: String) -> Bool {
        switch object[name] {
        case nil, .null?: return false
        case .bool(true)?: return true
        case .string(let raw)?:
            let text = Self.trimmed(raw)
            if text.isEmpty { return false }
            if text == "true" { return true }
        default: break
        }
        errors.add(name, "\(label) must be \"true\" or absent.")
        return false
    }

    /// A yes-or-no field of the diallers' API: `true`, `false` or absent (false); nothing else.
    public mutating func flag(_ name: String, label: String) -> Bool {
        switch object[name] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default:
            errors.add(name, "\(label) must be true or false.")
            return false
        }
    }

    /// Extra data: an object, or a string holding one (as the original document shows); stored as
    /// compact JSON. An empty object is "empty content".
    mutating func dataObject(_ name: String) -> String? {
        let message = "Empty or invalid content of `data` field"
        switch object[name] {
        case nil, .null?: return nil
        case .object(let inner)?:
            if inner.isEmpty {
                errors.add(name, message)
                return nil
            }
            return JSONWriter.compact(.object(inner))
        case .string(let raw)?:
            let text = Self.trimmed(raw)
            if text.isEmpty { return nil }
            guard case .object(let inner)? = try? JSONParser.parse(Array(text.utf8)), !inner.isEmpty else {
                errors.add(name, message)
                return nil
            }
            return JSONWriter.compact(.object(inner))
        default:
            errors.add(name, message)
            return nil
        }
    }

    /// Records a message about a field read by a reader in another file (`consent`), or one that
    /// is well-formed alone but wrong beside another.
    public mutating func reject(_ name: String, _ message: String) {
        errors.add(name, message)
    }

    /// Records "{Label} cannot be blank." for a required field that `integer` found blank.
    public mutating func requireMissing(_ name: String, label: String) {
        errors.add(name, "\(label) cannot be blank.")
    }

    private mutating func blank(_ name: String, _ label: String, _ required: Bool) -> String? {
        if required { errors.add(name, "\(label) cannot be blank.") }
        return nil
    }

    private static func trimmed(_ text: String) -> String { text.trimmingWhitespace }
}
