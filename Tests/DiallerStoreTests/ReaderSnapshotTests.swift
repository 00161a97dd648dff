import DiallerStore
import Dispatch
import Testing

@Suite struct ReaderSnapshotTests {
    /// A read block that straddles a commit sees the database as its first SELECT saw it, so a
    /// report built from several queries (the queue snapshot's five) never mixes two commits.
    @Test func aReadBlockSeesOneCommitWhileTheWriterCommits() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("CREATE TABLE items(n INTEGER) STRICT; INSERT INTO items VALUES (1);")
            let firstSelectDone = DispatchSemaphore(value: 0)
            let writerCommitted = DispatchSemaphore(value: 0)
            async let counts = store.read { connection in
                let before = try connection.queryFirst("SELECT count(*) FROM items") { $0.int(0) }
                firstSelectDone.signal()
                writerCommitted.wait()
                let after = try connection.queryFirst("SELECT count(*) FROM items") { $0.int(0) }
                return [before, after]
            }
            // Waited for off the cooperative pool: the read block runs on the readers' own queue.
            await withCheckedContinuation { done in
                DispatchQueue.global().async {
                    firstSelectDone.wait()
                    done.resume()
                }
            }
            try await store.writer.write { _ = try $0.execute("INSERT INTO items VALUES (2)") }
            writerCommitted.signal()
            #expect(try await counts == [1, 1])
            #expect(try await store.scalar("SELECT count(*) FROM items") == "2")
        }
    }
}
