import Dispatch
import Foundation
import Logging
import Synchronization

/// How a store is opened.
public struct StoreConfiguration: Sendable {
    public var path: String
    /// Administrators' seed migrations (lead types, lists), applied after the shipped schema;
    /// nil means the shipped schema alone.
    public var migrationsDirectory: String?
    /// Whether opening migrates, or only checks that the schema is current.
    public var opening = StoreOpening.migrate
    /// Whether this process checkpoints the WAL or leaves it to a replicator.
    public var checkpoints = CheckpointPolicy.auto
    /// Most writer jobs per commit; 1 disables group commit.
    public var maxBatch = 512
    /// Seconds a dialler may hold a claimed call before it returns to the queue.
    public var leaseSeconds = 600
    /// The holds every claim checks: abandoned calls and the rolling per-number cap.
    public var contactRules = ContactRules()
    /// Days after which a lead whose call is finished loses its personal fields (nil: kept).
    public var retentionDays: Int?
    /// Lead ids one retention chunk looks at: a few milliseconds of the writer's time.
    public var retentionWindow: Int64 = 2_000
    /// Seconds between retention passes once a pass has reached the recent leads.
    public var retentionPauseSeconds = 3_600
    /// Hours an Idempotency-Key's answer is replayed to a repeat; older records are purged.
    public var idempotencyHours = 24
    /// Expired Idempotency-Key records one purge chunk deletes: a few milliseconds of the writer's time.
    public var idempotencyPurgeChunk = 1_000
    /// Calls moved per promotion transaction, so intake never waits long behind promotion: a chunk
    /// of 250 holds the writer for a few milliseconds (1,000 put intake's p99 at ~62 ms while
    /// 100,000 calls fell due at once).
    public var promotionChunk = 250
    /// Read-only connections serving queries.
    public var readers = 4
    /// How long a statement waits for another process's lock before failing.
    public var busyTimeoutMilliseconds: Int32 = 5_000
    /// How stale the cache of known keys may grow before it looks for changes made outside this
    /// store (see `KeyCache`); changes made through this store reach it at once.
    public var keyRevalidationInterval = Duration.milliseconds(1)
    /// Tests only, never production (package-internal, so no command can set it). `.full` is the
    /// product: with group commit, `COMMIT` runs with `synchronous=NORMAL` and the writer syncs
    /// the WAL before answering (`WALSyncer`); with `maxBatch` 1, `synchronous=FULL`. `.normal`
    /// (answer at `COMMIT`, nothing syncing the WAL) and `.off` break `saved:true`'s promise on
    /// purpose, for the power-cut tests to catch.
    package var synchronous = SynchronousMode.full

    /// Whether the writer syncs the WAL itself, off its thread, overlapping the next batch.
    var pipelinesCommits: Bool { maxBatch > 1 && synchronous == .full }

    /// `PRAGMA synchronous` for the writer's `COMMIT`s.
    var commitSynchronous: SynchronousMode { pipelinesCommits ? .normal : synchronous }

    public init(path: String, migrationsDirectory: String?) {
        self.path = path
        self.migrationsDirectory = migrationsDirectory
    }
}

/// What opening a store does to the schema.
public enum StoreOpening: Sendable {
    /// Create the file if needed and apply every pending migration (`serve`, `migrate`).
    case migrate
    /// Change nothing: refuse a missing file or a schema behind the binary's (administrative
    /// commands, which must work with `--db` alone, from any directory).
    case requireCurrentSchema
}

/// The façade the server uses: one writer with group commit, read-only readers, and the domain
/// operations, each one atomic writer job. Knows nothing of HTTP.
public final class Store: Sendable {
    public let configuration: StoreConfiguration
    public let writer: Writer
    public let clock: any WallClock
    /// Migrations this opening applied (empty when the database was up to date).
    public let appliedMigrations: [Migration]
    /// Every lead type's name, as found at opening.
    public let leadTypeNames: [String]
    let readers: ReaderPool
    let keys: KeyCache
    /// What the chunks of a bulk job (an import) last saw of other writers; behind a lock because
    /// each chunk's pause is worked out on whichever task awaited it.
    let bulkPacing = Mutex(BulkPacing())
    /// Each call group's abandoned-call counters over the rolling 24 hours, in memory.
    let abandonRates: AbandonRates

    /// Opens the database as `configuration.opening` says, then checks every lead type.
    public init(
        _ configuration: StoreConfiguration, clock: any WallClock = SystemClock(),
        onBatch: (@Sendable (BatchReport) -> Void)? = nil
    ) throws {
        let (connection, applied) = try Self.openWriterConnection(configuration, at: clock.now())
        self.appliedMigrations = applied
        self.leadTypeNames = try connection.validateLeadTypes()
        try connection.validateRecyclingRules()
        try connection.validatePartnerCaps()
        self.abandonRates = AbandonRates(rows: try connection.abandonRateMinutes(at: clock.now()))
        self.configuration = configuration
        self.clock = clock
        self.writer = try Writer(
            connection: connection, maxBatch: configuration.maxBatch,
            pipelined: configuration.pipelinesCommits, onBatch: onBatch)
        self.readers = ReaderPool(path: configuration.path, size: configuration.readers)
        self.keys = try KeyCache(path: configuration.path, revalidationInterval: configuration.keyRevalidationInterval)
    }

    /// The writer's connection, migrated or checked. A database file this opening created is
    /// removed again when its first migration fails, so a mistake leaves no empty file behind.
    private static func openWriterConnection(_ configuration: StoreConfiguration, at now: Timestamp) throws -> (Connection, [Migration]) {
        let path = configuration.path
        let existed = FileManager.default.fileExists(atPath: path)
        switch configuration.opening {
        case .requireCurrentSchema:
            guard existed else { throw StoreError.databaseMissing(path: path) }
            let connection = try Connection(path: path, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
            try connection.configureForWriting(checkpoints: configuration.checkpoints, synchronous: configuration.commitSynchronous)
            try MigrationRunner(migrations: ShippedMigrations.all).requireApplied(on: connection, path: path)
            return (connection, [])
        case .migrate:
            let seeds = try configuration.migrationsDirectory.map(MigrationLoader.load(from:)) ?? []
            let migrations = try MigrationLoader.combine(shipped: ShippedMigrations.all, seeds: seeds)
            do {
                let connection = try Connection(path: path, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
                try connection.configureForWriting(checkpoints: configuration.checkpoints, synchronous: configuration.commitSynchronous)
                let runner = MigrationRunner(migrations: migrations) {
                    _ = try $0.validateLeadTypes()
                    try $0.validateRecyclingRules()
                    try $0.validatePartnerCaps()
                }
                return (connection, try runner.apply(to: connection, at: now))
            } catch {
                if !existed {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                }
                throw error
            }
        }
    }

    /// Runs a query on a read-only connection.
    public func read<T: Sendable>(_ work: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await readers.read(work)
    }

    /// Stops taking writes, lets submitted jobs finish, and (unless checkpoints are external)
    /// checkpoints the WAL into the database file and truncates it.
    public func close() {
        writer.close()
        writer.queue.sync {}
        writer.waitForSyncs()
        writer.queue.sync {
            // TRUNCATE waits up to the busy timeout for readers: a replicator's read transaction
            // would hold every shutdown for that long, so an external checkpointer is left to it.
            // After a failed WAL sync nothing may be copied into the database (see WALSyncer).
            guard configuration.checkpoints == .auto, writer.durabilityFailure == nil else { return }
            writer.onQueue { connection in _ = try? connection.execute(script: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
    }
}
