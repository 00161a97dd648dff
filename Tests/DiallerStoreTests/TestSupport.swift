import DiallerStore
// Exported so every file of this target has the shared helpers (temporary folders, the
// migrations folder, the seeded generator) without importing them one by one.
@_exported import DiallerTestSupport
import Foundation

/// A store on a new database file in a temporary directory, with the real migrations.
func withTemporaryStore<T>(
    clock: ManualClock = ManualClock(iso8601: "2026-11-25T10:00:00.000Z"),
    configure: (inout StoreConfiguration) -> Void = { _ in },
    onBatch: (@Sendable (BatchReport) -> Void)? = nil,
    _ body: (Store, ManualClock) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        var configuration = StoreConfiguration(path: directory + "/test.sqlite", migrationsDirectory: migrationsDirectory)
        configure(&configuration)
        let store = try Store(configuration, clock: clock, onBatch: onBatch)
        defer { store.close() }
        return try await body(store, clock)
    }
}

/// A migrations folder holding the shipped migrations numbered below `version` (e.g. "0010"):
/// a database as it stood before that migration, to upgrade with the real one.
func shippedMigrationsFolder(in directory: String, before version: String) throws -> String {
    let folder = try makeMigrationsFolder(in: directory, [:])
    let shipped = try FileManager.default.contentsOfDirectory(atPath: migrationsDirectory).filter { $0.hasSuffix(".sql") }.sorted()
    for file in shipped where file < version {
        try FileManager.default.copyItem(atPath: migrationsDirectory + "/" + file, toPath: folder + "/" + file)
    }
    return folder
}

/// A migrations folder holding the given files.
func makeMigrationsFolder(in directory: String, _ files: [String: String]) throws -> String {
    let folder = directory + "/migrations"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, sql) in files {
        try sql.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }
    return folder
}

extension Store {
    /// Runs SQL on the writer (test set-up: seeding types, moving calls to a state).
    func exec(_ sql: String) async throws {
        try await writer.write { try $0.execute(script: sql) }
    }

    /// The first column of the first row of a query, as text, from a reader.
    func scalar(_ sql: String) async throws -> String? {
        try await read { connection in try connection.queryFirst(sql) { $0.optionalText(0) } ?? nil }
    }

    /// A partner principal with a fresh key.
    func partner(_ name: String, types: [String]? = nil) async throws -> Principal {
        let created = try await createKey(role: .partner, name: name, allowedTypes: types)
        return try authenticate(key: created.key)!
    }
}

extension Store {
    /// A dialler principal with a fresh key.
    func dialler(_ name: String) async throws -> Principal {
        try authenticate(key: try await createKey(role: .dialler, name: name).key)!
    }
}

extension NewLead {
    /// A valid lead for `mobile` (E.164) and `type`.
    static func sample(mobile: String = "+447840258823", type: String = "motor-trade", delays: Int? = nil) -> NewLead {
        NewLead(
            type: type, firstName: "John", surname: "Doe", email: "john.doe@example.com", mobile: mobile,
            delays: delays, rawRequest: #"{"sample":true}"#)
    }
}
