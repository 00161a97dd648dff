import Testing

@testable import DiallerServer

/// The delivery loop's sleep: woken early by a signal, otherwise at its timeout, and never left
/// spinning by the timer of a wait that a signal already ended.
@Suite struct WakeSignalTests {
    @Test func aSignalWithNobodyWaitingEndsTheNextWaitAtOnce() async {
        let wake = WakeSignal()
        wake.signal()
        let elapsed = await ContinuousClock().measure { await wake.wait(upTo: 30) }
        #expect(elapsed < .seconds(5))
    }

    @Test func aSignalEndsAWaitEarly() async {
        let wake = WakeSignal()
        let waiting = Task { await ContinuousClock().measure { await wake.wait(upTo: 30) } }
        try? await Task.sleep(for: .milliseconds(100))
        wake.signal()
        #expect(await waiting.value < .seconds(5))
    }

    /// A wait ended by a signal cancels its timer; a cancelled timer must not count as a signal,
    /// or every later wait returns at once and the loop polls the database without pause.
    @Test func theWaitAfterAnEarlyWakeSleepsItsFullTime() async {
        let wake = WakeSignal()
        for _ in 0..<3 {
            let waiting = Task { await wake.wait(upTo: 30) }
            try? await Task.sleep(for: .milliseconds(50))
            wake.signal()
            await waiting.value
        }
        try? await Task.sleep(for: .milliseconds(50))  // the cancelled timers have run by now
        let elapsed = await ContinuousClock().measure { await wake.wait(upTo: 0.5) }
        #expect(elapsed >= .milliseconds(400), "a wait with no signal returned after \(elapsed)")
    }
}
