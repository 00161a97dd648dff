/// Where and why a body is not valid JSON: partners copying the original document's broken
/// examples are told exactly where to look.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    let line: Int
    let column: Int
    let reason: String

    public var description: String { "Syntax error at line \(line), column \(column): \(reason)." }
}
