import ArgumentParser
import Foundation

/// What a setting's text must look like, and how it becomes a value. Options and their
/// environment variables share one rule, so both are refused with the same words.
struct SettingRule<Value> {
    /// Finishes "… must be", as in `DIALLER_PORT must be a port number 0-65535, got "abc"`.
    let expectation: String
    let parse: (String) -> Value?

    func value(of text: String, named name: String) throws -> Value {
        guard let value = parse(text) else { throw ValidationError("\(name) must be \(expectation), got \"\(text)\"") }
        return value
    }
}

extension SettingRule where Value == Int {
    static func integer(_ range: ClosedRange<Int>, _ expectation: String) -> SettingRule {
        SettingRule(expectation: expectation) { text in Int(text).flatMap { range.contains($0) ? $0 : nil } }
    }
}

extension SettingRule where Value == Double {
    /// A decimal number above `lowerBound` (exclusive) and at most `upperBound`.
    static func number(above lowerBound: Double, atMost upperBound: Double, _ expectation: String) -> SettingRule {
        SettingRule(expectation: expectation) { text in
            Double(text).flatMap { $0.isFinite && $0 > lowerBound && $0 <= upperBound ? $0 : nil }
        }
    }
}

extension SettingRule where Value == Double? {
    /// A percentage above 0 and at most 100, or `off` (nil).
    static var percentOrOff: SettingRule {
        SettingRule(expectation: "a percentage above 0 and at most 100, or off") { text -> Double?? in
            if text == "off" { return .some(nil) }
            return Double(text).flatMap { $0.isFinite && $0 > 0 && $0 <= 100 ? .some($0) : nil }
        }
    }
}

extension SettingRule where Value == String {
    static var nonBlank: SettingRule { SettingRule(expectation: "a non-blank value") { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }

    /// An ISO 3166 region for numbers written without a country code.
    static var region: SettingRule {
        SettingRule(expectation: "two capital letters, like GB") { $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isUppercase } ? $0 : nil }
    }

    static func oneOf(_ choices: [String]) -> SettingRule {
        SettingRule(expectation: "one of \(choices.joined(separator: ", "))") { choices.contains($0) ? $0 : nil }
    }
}

extension SettingRule where Value == Bool {
    static var boolean: SettingRule {
        SettingRule(expectation: "1, 0, true or false") { text in
            switch text.lowercased() {
            case "1", "true": true
            case "0", "false": false
            default: nil
            }
        }
    }
}

/// Where a setting comes from: its option when given, else its environment variable when set
/// (an empty variable counts as unset), else the default. Nothing falls back silently.
struct Setting<Value> {
    let option: String
    let environment: String?
    let rule: SettingRule<Value>

    init(_ option: String, env environment: String? = nil, _ rule: SettingRule<Value>) {
        self.option = option
        self.environment = environment
        self.rule = rule
    }

    func resolve(_ given: String?, default fallback: Value) throws -> Value {
        try resolveIfSet(given) ?? fallback
    }

    /// The value, or nil when neither the option nor the variable is set.
    func resolveIfSet(_ given: String?) throws -> Value? {
        if let given { return try rule.value(of: given, named: option) }
        if let environment, let text = ProcessInfo.processInfo.environment[environment], !text.isEmpty {
            return try rule.value(of: text, named: environment)
        }
        return nil
    }

    /// A repeatable option's values, each of which may also be a comma-separated list, else the
    /// variable's list, else none. Each element is checked alone, so an error names the bad one.
    func resolveList(_ given: [String]) throws -> [Value] {
        if !given.isEmpty { return try given.flatMap { try elements(of: $0, named: option) } }
        if let environment, let text = ProcessInfo.processInfo.environment[environment], !text.isEmpty {
            return try elements(of: text, named: environment)
        }
        return []
    }

    private func elements(of text: String, named name: String) throws -> [Value] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map {
            try rule.value(of: $0.trimmingCharacters(in: .whitespaces), named: name)
        }
    }
}
