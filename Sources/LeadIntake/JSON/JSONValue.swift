/// A parsed JSON value. Numbers keep their text so nothing is rounded before a rule looks at it;
/// objects keep their members in order, and a repeated name takes the last value (as PHP's
/// json_decode did for the original system).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object's members in the order they were sent.
public struct JSONObject: Equatable, Sendable {
    var members: [(name: String, value: JSONValue)]

    public init(_ members: [(name: String, value: JSONValue)] = []) { self.members = members }

    /// The last value given for `name`.
    public subscript(name: String) -> JSONValue? {
        members.last(where: { $0.name == name })?.value
    }

    var isEmpty: Bool { members.isEmpty }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.elementsEqual(rhs.members) { $0.name == $1.name && $0.value == $1.value }
    }
}
