import Hummingbird

/// The request context: Hummingbird's core storage plus what handlers learn for the access log.
struct DiallerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Shared with the access-log middleware, which reads it after the handler returns.
    let facts = RequestFacts()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
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
