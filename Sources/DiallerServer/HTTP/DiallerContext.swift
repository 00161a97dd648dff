import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage, the connection's peer, and what handlers
/// learn for the access log.
struct DiallerContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer: the client, or the proxy in front of the server.
    let remoteAddress: SocketAddress?
    /// Shared with the access-log middleware, which reads it after the handler returns.
    let facts = RequestFacts()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// What a handler learnt about its caller, for the one log line per request.
///
/// `@unchecked Sendable`: one request's task writes it and then reads it, never concurrently,
/// and it never outlives the request.
final class RequestFacts: @unchecked Sendable {
    /// The key's name (the partner or dialler), never the key.
    var caller: String?
}
