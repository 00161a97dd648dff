import CPowerCutVFS
import Foundation

/// A directory whose SQLite files the power-cut VFS tracks (`Tests/CPowerCutVFS`): what each file
/// held at its last sync, and what was written since.
///
/// `@unchecked Sendable` because the C side guards all of a disk's state with its own mutex.
final class PowerCutDisk: @unchecked Sendable {
    /// What becomes of the -shm in a cut: SQLite must rebuild it from the WAL whatever it holds.
    enum SharedMemoryFate: CaseIterable { case absent, garbage, asLeft }

    /// What a cut did.
    struct Report {
        var files: Int
        var unsyncedBytesLost: Int64
        var unsyncedBytesKept: Int64
        var resurrectedFiles: Int
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let directory: String
    private let disk: OpaquePointer

    /// Tracks the files SQLite opens under `directory` from now on; files already there are durable.
    init(directory: String) throws {
        guard let disk = pc_disk_adopt(directory) else {
            throw Failure(description: "cannot adopt \(directory) for the power-cut VFS")
        }
        self.directory = directory
        self.disk = disk
    }

    deinit { pc_disk_release(disk) }

    /// Cuts the power: every later read, write or sync of this disk's files fails, and `target`
    /// (a new empty directory) gets what the disk holds when the machine comes back.
    func cut(into target: String, seed: UInt64, tear: Bool, sharedMemory: SharedMemoryFate) throws -> Report {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let shm: Int32 =
            switch sharedMemory {
            case .absent: Int32(PC_SHM_ABSENT)
            case .garbage: Int32(PC_SHM_GARBAGE)
            case .asLeft: Int32(PC_SHM_AS_LEFT)
            }
        var report = pc_cut_report()
        let code = pc_disk_cut(disk, target, seed, Int32(tear ? PC_TEAR_SECTORS : PC_TEAR_NONE), shm, &report)
        guard code == 0 else { throw Failure(description: "power cut into \(target) failed: \(String(cString: strerror(code)))") }
        return Report(
            files: Int(report.files), unsyncedBytesLost: report.unsynced_bytes_lost,
            unsyncedBytesKept: report.unsynced_bytes_kept, resurrectedFiles: Int(report.resurrected_files))
    }

    /// While true, every sync of this disk's files fails (`SQLITE_IOERR_FSYNC`) and syncs nothing.
    func failSyncs(_ failing: Bool) { pc_disk_fail_syncs(disk, failing ? 1 : 0) }

    /// While true, every sync of this disk's files waits before it starts, as on a slow disk.
    func holdSyncs(_ holding: Bool) { pc_disk_hold_syncs(disk, holding ? 1 : 0) }

    /// Syncs waiting at that hold right now.
    var heldSyncs: Int { Int(pc_disk_held_syncs(disk)) }

    /// Bytes written to this disk's files since each one's last sync.
    var unsyncedBytes: Int64 { pc_disk_unsynced_bytes(disk) }

    /// Successful syncs of this disk's files so far.
    var syncs: Int64 { pc_disk_syncs(disk) }
}
