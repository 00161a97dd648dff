import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension OneAtATime {
    /// The test harness's own raw socket must never close a descriptor it no longer owns: every test
    /// shares one process, and a number closed twice may by then be another test's SQLite file (a
    /// full run once failed a read of `api_keys` with "disk I/O error", SQLITE_IOERR_READ, that way).
    @Suite struct RawConnectionTests {
        /// A refused connection closes its socket once. Another thread meanwhile opens /dev/null over
        /// and over, taking the lowest free number as the refused socket's frees it; a second close
        /// would shut that file under it, which it sees as a descriptor that is no longer /dev/null.
        @Test func aRefusedConnectionClosesOnlyItsOwnSocket() throws {
            let refused = try BoundPort()
            let stop = Atomic<Bool>(false)
            let lost = Atomic<Int>(0)
            let finished = DispatchSemaphore(value: 0)
            Thread {
                var null = stat()
                stat("/dev/null", &null)
                while !stop.load(ordering: .relaxed) {
                    let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
                    var still = true
                    for _ in 0..<20 {
                        var seen = stat()
                        if fstat(descriptor, &seen) != 0 || seen.st_rdev != null.st_rdev || (seen.st_mode & S_IFMT) != S_IFCHR {
                            still = false
                            break
                        }
                    }
                    // A descriptor closed under us may already be someone else's: leave it alone.
                    if still { close(descriptor) } else { lost.add(1, ordering: .relaxed) }
                }
                finished.signal()
            }.start()
            for _ in 0..<10_000 {
                #expect(throws: RawConnectionError.self) { _ = try RawConnection(port: refused.port) }
            }
            stop.store(true, ordering: .relaxed)
            finished.wait()
            #expect(lost.load(ordering: .relaxed) == 0, "a refused RawConnection closed another thread's descriptor")
            withExtendedLifetime(refused) {}
        }
    }
}
