/// `PRAGMA synchronous` on the writer's connection. `.full` fsyncs the WAL in every `COMMIT`;
/// `.normal` leaves that to the pipelined writer (`WALSyncer`), and breaks `saved:true`'s promise
/// without it; `.off` never syncs. As `StoreConfiguration.synchronous` (package-internal) the weak
/// modes let the power-cut tests show that their harness catches a store answering too early.
package enum SynchronousMode: Sendable, CaseIterable {
    case full
    /// The WAL is synced only at checkpoints: commits since the last one die with the power.
    case normal
    /// Nothing is ever synced.
    case off
}
