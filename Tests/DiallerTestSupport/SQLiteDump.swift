import Foundation

/// The whole database as SQL text (`sqlite3 -readonly DB .dump`), to show that a refused command
/// or migration changed nothing.
public func sqliteDump(_ db: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = ["-readonly", db, ".dump"]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
