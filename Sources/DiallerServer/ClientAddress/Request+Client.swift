import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// The client's address for the access log: the peer's, or the one its `X-Forwarded-For` names
    /// when the peer is a trusted proxy. `-` when the peer is not an IP socket.
    func clientAddress(peer: SocketAddress?, trusting proxies: TrustedProxies) -> String {
        guard let text = peer?.ipAddress, let address = IPAddress(text) else { return "-" }
        if proxies.isEmpty { return "\(address)" }
        return "\(proxies.client(peer: address, forwardedFor: headers[values: .xForwardedFor]))"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
