import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program the edge tests run: to completion (curl, openssl), or left running (nginx, openssl
/// s_server, a slow s_client) and stopped by the test. Waits are `Task.sleep` polls, so a test
/// waiting on a child does not hold one of the concurrency pool's threads (two on this machine)
/// that the other suites' in-process servers need.
final class ChildProcess {
    private let process = Process()
    private let output = SharedText()
    private let outputEnded = StopFlag()
    /// Written by the test (a slow client's bytes); the child sees no end of input until it exits.
    private let input = Pipe()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], keepInputOpen: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = keepInputOpen ? input : FileHandle.nullDevice
        let output = self.output
        let ended = self.outputEnded
        let reading = pipe.fileHandleForReading
        // A thread of its own blocks on the pipe until the end of output: Foundation's
        // readabilityHandler did not always report that end here, and a test then waited out
        // its whole deadline. Reading as it comes also keeps a chatty child from filling the pipe.
        Thread {
            while true {
                let data = reading.availableData
                if data.isEmpty { break }
                output.append(String(decoding: data, as: UTF8.self))
            }
            ended.set()
        }.start()
        try process.run()
    }

    deinit { stop() }

    /// Standard output and standard error together, as far as they have been read.
    var text: String { output.value }

    var isRunning: Bool { process.isRunning }

    func write(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

    /// Waits up to `seconds` for the child to exit and its output to end; its status, or nil.
    func exit(within seconds: Double) async throws -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning || !outputEnded.isSet {
            if ContinuousClock.now > deadline { return process.isRunning ? nil : process.terminationStatus }
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it lingers past a second.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs a program to completion, stopped if it runs past `seconds`: exit status and output.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        seconds: Double = 20
    ) async throws -> (status: Int32, text: String) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        guard let status = try await child.exit(within: seconds) else {
            child.stop()
            throw EdgeTestError.toolFailed("\(executable) \(arguments.joined(separator: " ")) ran past \(seconds) s")
        }
        return (status, child.text)
    }
}

/// A loopback port nothing listens on now (the kernel's pick; another process may take it, rarely).
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
        }
    }
    guard bound else { throw EdgeTestError.toolFailed("no free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Polls until something accepts TCP connections on the loopback port, for at most `seconds`.
func waitUntilListening(port: Int, seconds: Double) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if (try? RawConnection(port: port)) != nil { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}
