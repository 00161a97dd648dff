/// `PRAGMA synchronous` on the writer's connection. Only `.full` keeps `saved:true`'s promise (the
/// WAL is fsync'd by every commit); the weaker modes exist, package-internal, so that the
/// power-cut tests can show their harness catches a store that answers before its data is durable.
package enum SynchronousMode: Sendable, CaseIterable {
    case full
    /// The WAL is synced only at checkpoints: commits since the last one die with the power.
    case normal
    /// Nothing is ever synced.
    case off
}
