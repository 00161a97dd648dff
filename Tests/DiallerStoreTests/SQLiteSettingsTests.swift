import CSQLite
import DiallerStore
import DiallerTestSupport
import Foundation
import Testing

/// What `Connection` sets for the whole process before SQLite starts.
@Suite struct SQLiteSettingsTests {
    /// SQLite's memory statistics take a process-wide mutex on every allocation and free; with
    /// them off `sqlite3_memory_used()` stays 0 however much a connection allocates. Checked in a
    /// fresh process, where the connection opened here is the first thing to start SQLite (this
    /// test process's other tests start it in whatever order they run).
    @Test func theFirstConnectionTurnsSQLiteMemoryStatisticsOff() async {
        await #expect(processExitsWith: .success) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-settings-\(getpid())").path
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            guard let connection = try? Connection(path: folder + "/db.sqlite"),
                (try? connection.execute(script: "CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000))")) != nil
            else { exit(2) }
            exit(sqlite3_memory_used() == 0 ? 0 : 1)
        }
    }
}
