import DiallerStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--checkpoints` and `DIALLER_CHECKPOINTS` through the real binary.
@Suite struct CheckpointOptionTests {
    @Test(arguments: [
        (["serve", "--checkpoints", "sometimes"], [String: String](), "Error: --checkpoints must be auto or external, got \"sometimes\""),
        (["serve"], ["DIALLER_CHECKPOINTS": "never"], "Error: DIALLER_CHECKPOINTS must be auto or external, got \"never\""),
        (["migrate", "--checkpoints", "EXTERNAL"], [String: String](), "Error: --checkpoints must be auto or external, got \"EXTERNAL\""),
    ])
    func aBadPolicyIsOneLine(arguments: [String], environment: [String: String], message: String) async throws {
        try await withTemporaryDirectory { folder in
            let result = try DiallerBinary.run(arguments + ["--db", folder + "/d.sqlite"], environment: environment)
            #expect(result.status != 0)
            #expect(result.err == message + "\n")
            #expect(!FileManager.default.fileExists(atPath: folder + "/d.sqlite"))
        }
    }

    @Test func externalIsLoggedAndLeavesTheWALAtShutdown() async throws {
        try await withTemporaryDirectory { folder in
            let setup = try CrashSafetyTests.prepare(folder)
            let server = try ServerProcess(database: setup.db, migrations: setup.migrations, extraArguments: ["--checkpoints", "external"])
            #expect(server.output.contains("checkpoints=external"))
            #expect(server.output.contains("sqlite=\(SQLiteLibrary.version)"))
            let load = IntakeLoad()
            async let intake: Void = load.run(port: server.port, key: setup.key, clients: 2, prefix: 31)
            try await load.waitForSaved(atLeast: 20)
            load.stop()
            await intake
            server.signal(SIGTERM)
            #expect(server.waitForExit(seconds: 15) == 0)
            let wal = (try? FileManager.default.attributesOfItem(atPath: setup.db + "-wal")[.size] as? Int) ?? 0
            #expect(wal > 0, "the server checkpointed the WAL on the way out")
            try CrashSafetyTests.verify(db: setup.db, acknowledged: load.answered.filter(\.saved).map(\.mobile))
        }
    }
}
