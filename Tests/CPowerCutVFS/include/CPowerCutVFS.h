#ifndef CPOWERCUTVFS_H
#define CPOWERCUTVFS_H

/// A test-only SQLite VFS that simulates a power cut, after SQLite's own test6.c ("crash" tests).
///
/// `pc_install` registers it over the default VFS once per process. It passes every call to the
/// real (unix) VFS. For files under a directory the test adopts (`pc_disk_adopt`), it remembers, per
/// file, what was written or truncated since that file's last successful xSync (an undo log of
/// pre-images). `pc_disk_cut` is the power cut: it stops every later call on the disk's files
/// (they fail with SQLITE_IOERR), and writes into another directory what the disk would hold
/// after the machine comes back: every file at its last-synced content, optionally with the
/// unsynced writes torn at 512-byte granularity (some kept, some dropped, some garbage), and the
/// -shm (a memory-mapped index SQLite rebuilds from the WAL) lost, garbage or left as it was.
/// Files outside adopted directories pass straight through.

#include <stdint.h>

/// One adopted directory: the files SQLite opens under it are tracked.
typedef struct pc_disk pc_disk;

/// What a power cut did, for tests to show that it dropped something.
typedef struct pc_cut_report {
    /// Files written to the target directory (the -shm included when kept or garbage).
    int files;
    /// Bytes written since their file's last sync that the cut reverted or replaced with garbage.
    int64_t unsynced_bytes_lost;
    /// Bytes written since their file's last sync that the cut kept (tearing only).
    int64_t unsynced_bytes_kept;
    /// Files deleted without a directory sync, brought back by the cut.
    int resurrected_files;
} pc_cut_report;

/// How unsynced writes fare in a cut.
enum {
    /// Every unsynced write is dropped: each file is exactly its last-synced content.
    PC_TEAR_NONE = 0,
    /// Each 512-byte piece of each unsynced write is kept, dropped or filled with garbage.
    PC_TEAR_SECTORS = 1,
};

/// What becomes of each -shm file in a cut.
enum {
    PC_SHM_ABSENT = 0,
    PC_SHM_GARBAGE = 1,
    PC_SHM_AS_LEFT = 2,
};

/// Registers the power-cut VFS as the default one (idempotent). Answers an SQLite result code.
int pc_install(void);

/// Starts tracking files opened under `directory` (which must exist). NULL when it cannot.
pc_disk *pc_disk_adopt(const char *directory);

/// Cuts the power: blocks new I/O on the disk's files for good, then writes each file's
/// after-reboot content into `target_directory` (which must exist and be empty). Answers 0 or
/// an errno value.
int pc_disk_cut(pc_disk *disk, const char *target_directory, uint64_t seed, int tear, int shm,
                pc_cut_report *report);

/// Bytes written to the disk's files since each file's last sync, right now.
int64_t pc_disk_unsynced_bytes(pc_disk *disk);

/// Successful xSync calls on the disk's files so far.
int64_t pc_disk_syncs(pc_disk *disk);

/// While `failing` is non-zero, every xSync of the disk's files fails with SQLITE_IOERR_FSYNC
/// without syncing (a disk that reports a write-back error).
void pc_disk_fail_syncs(pc_disk *disk, int failing);

/// While `holding` is non-zero, every xSync of the disk's files waits before it starts, as on a
/// slow disk, until the hold is lifted (or the disk is cut or released).
void pc_disk_hold_syncs(pc_disk *disk, int holding);

/// The syncs waiting at that hold right now.
int pc_disk_held_syncs(pc_disk *disk);

/// Stops tracking and frees the disk. Files still open keep failing their I/O.
void pc_disk_release(pc_disk *disk);

#endif
