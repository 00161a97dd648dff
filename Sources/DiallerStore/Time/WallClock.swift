import Foundation
import Synchronization

/// Where the store gets "now": the system clock in production, a manual one in tests.
public protocol WallClock: Sendable {
    func now() -> Timestamp
}

/// The real time of day.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}

/// A clock that moves only when told to, so tests move time instead of sleeping.
public final class ManualClock: WallClock {
    /// Tests advance the clock from one task while the writer reads it on its queue.
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp) { current = Mutex(start) }

    public convenience init(iso8601 text: String) {
        self.init(Timestamp(iso8601: text)!)
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func advance(seconds: Double) {
        current.withLock { $0 = Timestamp(milliseconds: $0.milliseconds + Int64(seconds * 1000)) }
    }
}
