import NIOCore

/// Runs a request's async work on its own channel's event loop. Without it each request hops from
/// the event loop to Swift's global executor and back (measured with perf: the hops and wake-ups
/// cost more than the JSON parsing they carry).
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
