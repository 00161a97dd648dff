import Foundation

extension String {
    /// White space and newlines trimmed from both ends; skips Foundation's work when there is none.
    public var trimmingWhitespace: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        if first.isASCIIPrintableNonSpace && last.isASCIIPrintableNonSpace { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIPrintableNonSpace: Bool { value > 0x20 && value < 0x7F }
}
