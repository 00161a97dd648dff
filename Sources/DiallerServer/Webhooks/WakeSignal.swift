import Synchronization

/// Lets the delivery loop sleep until its next poll or until an attempt ends, whichever comes
/// first, so a partner's next event goes out as soon as a slot is free rather than a poll later.
final class WakeSignal: Sendable {
    /// A signal that came while nobody waited, and the loop's continuation while it waits: set by
    /// attempts' tasks and the timer, taken by the loop, so behind a lock.
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Wakes the waiting loop, or the next wait when nobody waits.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal, after `seconds`, or when the task is cancelled.
    func wait(upTo seconds: Double) async {
        let timer = Task { [self] in
            // A timer cancelled because a signal ended the wait first must not signal: its signal
            // would end the next wait at once, whose cancelled timer would end the one after, and
            // the loop would poll the database without pause (a core's worth, measured).
            guard (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil else { return }
            signal()
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
