import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a loopback port, for what an HTTP client library will not send:
/// oversized or conflicting headers, half-written requests, connections left idle.
final class RawConnection {
    private let descriptor: Int32

    /// The socket is stored only once it is connected: a throw after `self` is fully initialized
    /// runs `deinit`, whose close would then be a second one of a number another thread may
    /// already have been given (`RawConnectionTests`).
    init(port: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError.socket(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw RawConnectionError.connect(code)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Everything the server sends until it closes the connection or `seconds` pass in silence;
    /// `closed` tells which.
    func receive(waitingUpTo seconds: Double) -> (text: String, closed: Bool) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
                if let text = String(bytes: received, encoding: .utf8), Self.isComplete(text) { return (text, false) }
                continue
            }
            return (String(decoding: received, as: UTF8.self), count == 0)
        }
    }

    /// A whole response with a Content-Length body has arrived.
    private static func isComplete(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else {
            return head.hasPrefix("http/1.1 204") || head.hasPrefix("http/1.1 1")
        }
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }
}

enum RawConnectionError: Error {
    case socket(Int32)
    case connect(Int32)
}
