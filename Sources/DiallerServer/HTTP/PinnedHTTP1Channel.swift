import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with each connection's task pinned to that connection's event loop.
///
/// Hummingbird runs a connection's request loop as a child task on Swift's global executor, so
/// every request crosses threads several times (event loop → global pool → event loop and back);
/// perf showed those hops and their futex wake-ups costing more than a request's JSON work.
/// Preferring the channel's own event loop as the task executor keeps all of it on one thread.
struct PinnedHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopExecutor(value.channel.eventLoop)) {
            await http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// `.http1(configuration:)` with each connection pinned to its event loop.
    static func pinnedHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in PinnedHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
