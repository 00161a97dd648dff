import Foundation

/// Processes by their parent, read from `/proc`: how a test finds the server that a wrapper
/// (`litestream replicate -exec`) started, to signal it alone.
enum ProcessTree {
    /// The ids of the running processes whose parent is `parent`.
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { parentID(of: $0) == parent }
    }

    /// Field 4 of `/proc/PID/stat`, read after the command name's closing parenthesis (a name may hold spaces).
    private static func parentID(of process: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }
}
