import Foundation

/// `EmbedMigrationsTool OUTPUT FILE...`: writes a Swift file holding each migration file's name and
/// exact text, for the `EmbedMigrations` build plugin.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrationsTool OUTPUT FILE...\n".utf8))
    exit(64)
}

/// The text as a Swift string literal, byte for byte (the checksum of an applied migration is of these bytes).
func literal(_ text: String) -> String {
    var escaped = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": escaped += "\\\\"
        case "\"": escaped += "\\\""
        case "\n": escaped += "\\n"
        case "\r": escaped += "\\r"
        case "\t": escaped += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: escaped += "\\u{\(String(scalar.value, radix: 16))}"
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped + "\""
}

var swift = "// Generated at build time from Migrations/ by the EmbedMigrations plugin; not committed.\n\n"
swift += "extension ShippedMigrations {\n    static let files: [(fileName: String, sql: String)] = [\n"
for path in arguments.dropFirst() {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let name = URL(fileURLWithPath: path).lastPathComponent
    swift += "        (\(literal(name)), \(literal(String(decoding: data, as: UTF8.self)))),\n"
}
swift += "    ]\n}\n"
try Data(swift.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
