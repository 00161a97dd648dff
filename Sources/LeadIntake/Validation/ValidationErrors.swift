/// Every failing field with its messages, in the contract's `{"field":{"0":"message"}}` shape.
public struct ValidationErrors: Error, Equatable {
    public private(set) var fields: [(name: String, messages: [String])] = []

    public init() {}

    public var isEmpty: Bool { fields.isEmpty }

    /// Every message of every field.
    var messageCount: Int { fields.reduce(0) { $0 + $1.messages.count } }

    public mutating func add(_ field: String, _ message: String) {
        if let index = fields.firstIndex(where: { $0.name == field }) {
            fields[index].messages.append(message)
        } else {
            fields.append((field, [message]))
        }
    }

    /// The response body.
    public var json: String {
        var output = "{"
        for (offset, field) in fields.enumerated() {
            if offset > 0 { output += "," }
            output += JSONWriter.quoted(field.name) + ":{"
            for (number, message) in field.messages.enumerated() {
                if number > 0 { output += "," }
                output += "\"\(number)\":" + JSONWriter.quoted(message)
            }
            output += "}"
        }
        return output + "}"
    }

    public static func == (lhs: ValidationErrors, rhs: ValidationErrors) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.messages == $1.messages }
    }
}
