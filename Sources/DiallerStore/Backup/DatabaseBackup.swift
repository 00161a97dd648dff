import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An online, consistent copy of a database that may be serving: `VACUUM INTO` from a read-only
/// connection into a temporary file beside the target, checked with `PRAGMA integrity_check`,
/// fsync'd, then renamed into place, so the target is either absent or a complete, sound copy.
///
/// Why `VACUUM INTO` and not the backup API: the copy is read in one WAL read transaction, which
/// never takes the writer's lock, so intake is not blocked at all; the backup API copying in
/// steps restarts whenever another connection writes the source (under steady intake it may
/// never finish), and copying in one step is the same snapshot without the compaction. The
/// price is CPU: the copy rebuilds every table and index instead of copying pages.
public struct DatabaseBackup: Sendable {
    public let source: String
    public let target: String
    /// Replace `target` if it exists (`--force`); otherwise an existing target is refused.
    public let replacing: Bool

    public init(source: String, target: String, replacing: Bool) {
        self.source = source
        self.target = target
        self.replacing = replacing
    }

    /// Makes the copy; on any failure nothing is left at `target` that was not there before.
    public func run() throws -> BackupReport {
        let started = ContinuousClock.now
        try checkPaths()
        let partial = target + ".partial-\(getpid())"
        try createEmpty(partial)
        var placed = false
        defer { if !placed { unlink(partial) } }

        do {
            let connection = try Connection(path: source, readOnly: true)
            try connection.vacuum(into: partial)
        } catch let error as SQLiteError {
            throw StoreError.backupFailed(path: source, reason: error.message)
        }
        let (integrity, leads) = try check(partial)
        try FileSystem.synchronize(file: partial, failing: { StoreError.backupFailed(path: source, reason: "cannot sync \(partial): \($0)") })
        try place(partial)
        placed = true
        try FileSystem.synchronize(
            directory: folder, failing: { StoreError.backupFailed(path: source, reason: "cannot sync folder \(folder): \($0)") })
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        let elapsed = ContinuousClock.now - started
        return BackupReport(
            path: target, bytes: bytes, leads: leads, integrity: integrity,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private var folder: String {
        let parent = (target as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    private func checkPaths() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder) else {
            throw StoreError.databaseMissing(path: source)
        }
        if isFolder.boolValue { throw StoreError.backupFailed(path: source, reason: "it is a folder, not a database file") }
        if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) {
            if isFolder.boolValue { throw StoreError.backupTargetUnwritable(path: target, reason: "it is a folder; name the copy's file") }
            if !replacing { throw StoreError.backupTargetExists(path: target) }
        }
        if FileSystem.sameFile(source, target) {
            throw StoreError.backupTargetUnwritable(path: target, reason: "it is the database itself")
        }
    }

    /// Creates the empty temporary file `VACUUM INTO` fills, so a folder we cannot write is
    /// named with the system's reason before any work is done.
    private func createEmpty(_ partial: String) throws {
        unlink(partial)
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw StoreError.backupTargetUnwritable(path: target, reason: FileSystem.lastError) }
        close(descriptor)
    }

    /// `PRAGMA integrity_check` and the lead count, on the finished copy.
    private func check(_ partial: String) throws -> (integrity: String, leads: Int) {
        do {
            // Read-write, though nothing is written: on a read-only connection SQLite's
            // integrity_check skips the CHECK constraints (measured with 3.40.1).
            let copy = try Connection(path: partial)
            let problems = try copy.integrityCheck()
            guard problems == ["ok"] else { throw StoreError.backupIntegrityFailed(path: target, problems: problems) }
            return ("ok", try copy.leadCount())
        } catch let error as SQLiteError {
            throw StoreError.backupFailed(path: source, reason: "cannot check the copy: \(error.message)")
        }
    }

    /// Moves the copy into place. Without `replacing`, `link` refuses atomically if the target
    /// appeared meanwhile, where `rename` would silently replace it.
    private func place(_ partial: String) throws {
        if replacing {
            guard rename(partial, target) == 0 else { throw StoreError.backupTargetUnwritable(path: target, reason: FileSystem.lastError) }
            return
        }
        guard link(partial, target) == 0 else {
            if errno == EEXIST { throw StoreError.backupTargetExists(path: target) }
            throw StoreError.backupTargetUnwritable(path: target, reason: FileSystem.lastError)
        }
        unlink(partial)
    }
}
