import Foundation
import Testing

/// The test process bounds how many test cases run at once before Swift Testing starts
/// (`Tests/CTestProcess`): unbounded, a full run holds enough descriptors open to crash
/// Foundation's `Process.run` now and then.
@Suite struct TestProcessTests {
    @Test func atMostEightTestCasesRunAtOnce() {
        #expect(testProcessSettingsLoaded)
        #expect(ProcessInfo.processInfo.environment["SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH"] == "8")
    }
}
