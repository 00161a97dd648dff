import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A partner's webhook endpoint on a loopback port, for tests: it records every request it is
/// sent and answers as told (a status, or no answer at all until it is stopped).
final class WebhookReceiver: Sendable {
    /// How the receiver answers.
    enum Mode: Sendable {
        case status(Int)
        /// Never answers (until `stop`): an endpoint that hangs.
        case hang
    }

    /// One request as it arrived.
    struct Received: Sendable {
        let id: String
        let timestamp: String
        let signature: String
        let contentType: String
        let body: String
    }

    /// What the handlers and the test share: the mode, what arrived, whether hanging handlers may go.
    private final class Shared: Sendable {
        let state = Mutex<(mode: Mode, received: [Received], released: Bool)>((.status(200), [], false))
    }

    private let shared: Shared
    private let task: Task<Void, any Error>
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/hooks" }

    var received: [Received] { shared.state.withLock { $0.received } }

    func answer(_ mode: Mode) { shared.state.withLock { $0.mode = mode } }

    /// Lets requests hanging now go (they answer 503, to whoever still listens).
    func release() { shared.state.withLock { $0.released = true } }

    private init(shared: Shared, task: Task<Void, any Error>, port: Int) {
        self.shared = shared
        self.task = task
        self.port = port
    }

    /// Starts a receiver on a free loopback port.
    static func start(_ mode: Mode = .status(200)) async throws -> WebhookReceiver {
        let shared = Shared()
        shared.state.withLock { $0.mode = mode }
        let router = Router()
        router.post("/hooks") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let header = { (name: String) in request.headers[HTTPField.Name(name)!] ?? "" }
            let mode = shared.state.withLock { state -> Mode in
                state.received.append(
                    Received(
                        id: header("webhook-id"), timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"), contentType: header("content-type"),
                        body: String(buffer: body)))
                return state.mode
            }
            switch mode {
            case .status(let code):
                return Response(status: .init(code: code))
            case .hang:
                while !shared.state.withLock({ $0.released }) { try await Task.sleep(for: .milliseconds(20)) }
                return Response(status: .serviceUnavailable)
            }
        }
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return WebhookReceiver(shared: shared, task: task, port: port)
    }

    /// Lets hanging requests go and stops listening: the port is free (nobody answers on it) after.
    func stop() async {
        release()
        task.cancel()
        _ = try? await task.value
    }
}

/// Waits (in real time, up to `seconds`: generous, for a machine busy with parallel tests) until
/// `condition` holds; answers whether it did.
func eventually(seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// The Standard Webhooks signature computed by Python's own `hmac` module, independently of our
/// code: "v1," + base64(HMAC-SHA256(base64-decoded secret after "whsec_", "{id}.{timestamp}.{body}")).
func independentSignature(secret: String, id: String, timestamp: String, body: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "python3", "-c",
        """
        import base64, hashlib, hmac, sys
        secret, msg_id, timestamp = sys.argv[1:4]
        key = base64.b64decode(secret.removeprefix("whsec_"))
        body = sys.stdin.buffer.read()
        mac = hmac.new(key, msg_id.encode() + b"." + timestamp.encode() + b"." + body, hashlib.sha256).digest()
        print("v1," + base64.b64encode(mac).decode(), end="")
        """, secret, id, timestamp,
    ]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(body.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A loopback port held bound but never listened on: connecting to it is refused, like an endpoint
/// that is down, and the port cannot be handed to another test's server while it is held.
final class BoundPort: Sendable {
    private let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        guard bound == 0 else {
            close(descriptor)
            throw CancellationError()
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
