import Foundation

/// The programs the TLS edge tests drive: Debian's nginx, the openssl CLI and curl.
enum EdgeTools {
    static let nginx = find("nginx")
    static let openssl = find("openssl")
    static let curl = find("curl")

    /// CI sets `CI=true`; there a missing tool fails the suite instead of skipping it.
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static var allPresent: Bool { nginx != nil && openssl != nil && curl != nil }

    /// Run when the tools are here, and always in CI, where `.ci/run` installs them.
    static var shouldRun: Bool { allPresent || inCI }

    static let installHint = "scripts/install-system-packages nginx openssl curl"

    /// The three paths, or an error naming what is missing.
    static func require() throws -> (nginx: String, openssl: String, curl: String) {
        guard let nginx, let openssl, let curl else {
            let missing = [("nginx", nginx), ("openssl", openssl), ("curl", curl)].filter { $0.1 == nil }.map(\.0)
            throw EdgeTestError.missingTools("\(missing.joined(separator: ", ")) not installed (\(installHint))")
        }
        return (nginx, openssl, curl)
    }

    /// An executable on PATH or in the sbin folders, where Debian puts nginx.
    private static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

enum EdgeTestError: Error, CustomStringConvertible {
    case missingTools(String)
    case toolFailed(String)
    case notListening(String)

    var description: String {
        switch self {
        case .missingTools(let text), .toolFailed(let text), .notListening(let text): text
        }
    }
}
