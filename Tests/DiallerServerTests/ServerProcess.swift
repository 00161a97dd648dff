import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The real `dialler-server serve` in a child process, for crash and shutdown tests.
final class ServerProcess: Sendable {
    /// The process object is used from the test's task only; `@unchecked` because Foundation's
    /// `Process` is not marked Sendable.
    private let process: UncheckedProcess
    private let log = SharedText()
    /// The reading end of the server's standard error, until `closeLog()`.
    private let logReader: UncheckedFileHandle
    let port: Int

    /// Starts `serve` on a free port and waits for its `listening` line.
    convenience init(database: String, migrations: String, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        try self.init(
            executable: DiallerBinary.url,
            arguments: ["serve", "--db", database, "--migrations", migrations, "--port", "0"] + extraArguments,
            environment: environment)
    }

    /// Starts a command that runs `serve` (itself, or a wrapper such as `litestream replicate -exec`)
    /// and waits for the server's `listening` line on the command's standard error. `environment`
    /// is added to the test's own.
    init(executable: URL?, arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let log = self.log
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { log.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
        self.process = UncheckedProcess(process)
        self.logReader = UncheckedFileHandle(errors.fileHandleForReading)
        var port: Int?
        for _ in 0..<300 where port == nil {
            usleep(20_000)
            port = Self.port(in: log.value)
        }
        guard let port else {
            process.terminate()
            throw ServerProcessError.didNotStart(log.value)
        }
        self.port = port
    }

    var output: String { log.value }

    /// Closes the reading end of the server's standard error, as a log pipeline that died does:
    /// the server's next log line meets a broken pipe.
    func closeLog() throws {
        logReader.value.readabilityHandler = nil
        try logReader.value.close()
    }

    var processIdentifier: Int32 { process.value.processIdentifier }

    func signal(_ signal: Int32) { kill(process.value.processIdentifier, signal) }

    /// Waits up to `seconds` for the process to exit; answers its status, or nil if it is still running.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.value.isRunning, Date() < deadline { usleep(10_000) }
        return process.value.isRunning ? nil : process.value.terminationStatus
    }

    private static func port(in log: String) -> Int? {
        guard let range = log.range(of: "address=127.0.0.1:") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Foundation's `Process`, which is thread-safe for what we use but not marked `Sendable`.
private struct UncheckedProcess: @unchecked Sendable {
    let value: Process
    init(_ value: Process) { self.value = value }
}

/// Foundation's `FileHandle`, used here only to stop and close a pipe's reading end once, from
/// the test's task; `@unchecked` because it is not marked `Sendable`.
private struct UncheckedFileHandle: @unchecked Sendable {
    let value: FileHandle
    init(_ value: FileHandle) { self.value = value }
}

/// Text appended from a pipe's reader thread and read by the test.
final class SharedText: Sendable {
    private let text = Mutex("")
    var value: String { text.withLock { $0 } }
    func append(_ more: String) { text.withLock { $0 += more } }
}

/// A flag one task sets and others poll.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

enum ServerProcessError: Error {
    case didNotStart(String)
}
