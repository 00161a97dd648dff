import Synchronization

/// Shares the database's one write lock between a bulk job run in chunks from another process
/// (an import of a do-not-call list, the purge of its old generation) and a live server's writer.
///
/// SQLite gives the lock to whoever asks first, and a chunked job asks again the moment it
/// commits, so a server beside it got almost no turn (measured: intake fell from ~9,000 leads/s
/// to a few hundred, with 2 s slices that answered nothing). After each chunk the job therefore
/// pauses: as long as the chunk held the lock while another connection is committing too (half
/// the lock's time for the server), and briefly otherwise, long enough for a waiting writer,
/// which polls every millisecond, to take its turn and so show itself.
package struct BulkPacing: Sendable {
    /// Pause after a chunk while nobody else is seen writing.
    package static let idlePause = Duration.milliseconds(2)

    /// The writer connection's `PRAGMA data_version` at the last chunk: it moves only when another
    /// connection commits, so a change means a server (or anyone) wrote in between.
    private var lastDataVersion: Int64?

    package init() {}

    /// The pause after a chunk that held the lock for `held`, seen at `dataVersion`.
    package mutating func pause(afterHolding held: Duration, dataVersion: Int64) -> Duration {
        defer { lastDataVersion = dataVersion }
        guard let lastDataVersion, lastDataVersion != dataVersion else { return Self.idlePause }
        return max(held, Self.idlePause)
    }
}
