import Foundation

/// Option defaults that an environment variable (`DIALLER_DB`, `DIALLER_PORT`, ...) may override.
enum EnvironmentDefault {
    static func string(_ name: String, _ fallback: String) -> String {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
    }

    static func optional(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func int(_ name: String, _ fallback: Int) -> Int {
        optional(name).flatMap(Int.init) ?? fallback
    }

    static func double(_ name: String, _ fallback: Double) -> Double {
        optional(name).flatMap(Double.init) ?? fallback
    }
}
