// The power-cut VFS: see include/CPowerCutVFS.h for what it promises.
//
// Model of the disk (the same as SQLite's test6.c and Jepsen's LazyFS): a write or truncate is
// durable only once an xSync of that same file has returned after it; a sync covers what was
// written before it began (writes that race it may or may not be covered, so they count as
// unsynced). A file's existence is durable once it existed when first opened here, has been
// synced, or its directory was synced after its creation. A delete is durable only after a
// directory sync, which the unix VFS does inside the first xSync of a journal or WAL it opened
// with SQLITE_OPEN_CREATE, or in xDelete when asked; until then a power cut brings the deleted
// file back at its last-synced content. The -shm is not opened through xOpen (the unix VFS maps
// it itself) and is never durable: SQLite rebuilds it from the WAL when the first connection
// opens the database. Changes made behind SQLite's VFS calls (the unix VFS's size hints extend a
// file with ftruncate) count as unsynced growth: the cut trims every file to its synced size.

#include "CPowerCutVFS.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PC_SECTOR 512

/// The bytes a write or truncate replaced, so a cut can put them back.
typedef struct undo_record {
    /// Order of the write in its file, so a sync drops exactly the records it covers.
    uint64_t sequence;
    sqlite3_int64 offset;
    sqlite3_int64 length;
    unsigned char *before;
} undo_record;

/// What the disk knows of one path: its durable size and the undo log since its last sync.
typedef struct shadow {
    struct shadow *next;
    char *path;
    /// Whether the file's existence is durable (it existed when first opened, or was synced).
    int durable;
    sqlite3_int64 synced_size;
    undo_record *undo;
    int undo_count, undo_capacity;
    uint64_t next_sequence;
    /// The `next_sequence` at the start of the latest-starting sync that returned: an older sync
    /// finishing after it must not shrink `synced_size` back.
    uint64_t synced_through;
    /// A deleted file's last-synced content, until a directory sync makes the delete durable.
    unsigned char *ghost;
    sqlite3_int64 ghost_size;
    int has_ghost;
} shadow;

struct pc_disk {
    pc_disk *next;
    char *directory;
    /// Guards the shadows and orders every tracked write, truncate and sync against a cut: a cut
    /// must see each file either before or after a write, never half-way through one.
    pthread_mutex_t lock;
    /// Set once by a cut or release; read without the lock by calls that only need to refuse.
    atomic_int dead;
    shadow *shadows;
    int64_t syncs;
    /// Set by pc_disk_fail_syncs: syncs fail as a disk's write-back error would make them.
    atomic_int failing_syncs;
    /// Set by pc_disk_hold_syncs: a sync waits before it starts until the hold is lifted (a slow disk).
    atomic_int holding_syncs;
    /// Syncs waiting at that hold right now.
    atomic_int held_syncs;
};

/// Our file: the real VFS's file lives in the bytes right after it.
typedef struct pc_file {
    sqlite3_file base;
    sqlite3_file *real;
    pc_disk *disk;   // NULL when untracked
    shadow *shadow;
    /// The unix VFS syncs the directory in this handle's first xSync (UNIXFILE_DIRSYNC).
    int dir_sync_pending;
} pc_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs power_cut_vfs;
static sqlite3_io_methods power_cut_methods;
/// Guards the list of disks, which xOpen and xDelete search from any thread.
static pthread_mutex_t disks_lock = PTHREAD_MUTEX_INITIALIZER;
static pc_disk *disks;

// --- Undo logs and images -------------------------------------------------------------------

static int record_undo(shadow *s, sqlite3_file *real, sqlite3_int64 offset, sqlite3_int64 length) {
    if (length <= 0) return SQLITE_OK;
    if (s->undo_count == s->undo_capacity) {
        int capacity = s->undo_capacity ? s->undo_capacity * 2 : 16;
        undo_record *grown = realloc(s->undo, sizeof(undo_record) * (size_t)capacity);
        if (!grown) return SQLITE_NOMEM;
        s->undo = grown;
        s->undo_capacity = capacity;
    }
    unsigned char *before = calloc(1, (size_t)length);
    if (!before) return SQLITE_NOMEM;
    // A short read (past the end of the file) fills the rest with zeros: those bytes lie beyond
    // the synced size or were truncated away earlier, which an older undo record restores.
    int rc = real->pMethods->xRead(real, before, (int)length, offset);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
        free(before);
        return rc;
    }
    s->undo[s->undo_count++] = (undo_record){s->next_sequence++, offset, length, before};
    return SQLITE_OK;
}

static void drop_undo(shadow *s, int count) {
    for (int i = 0; i < count; i++) free(s->undo[i].before);
    memmove(s->undo, s->undo + count, sizeof(undo_record) * (size_t)(s->undo_count - count));
    s->undo_count -= count;
}

/// Drops the records that a sync which started when `next_sequence` was `limit` made durable.
static void drop_synced(shadow *s, uint64_t limit) {
    int count = 0;
    while (count < s->undo_count && s->undo[count].sequence < limit) count++;
    drop_undo(s, count);
}

static uint64_t next_random(uint64_t *state) {
    // xorshift64*: reproducible from the seed, good enough to pick fates and garbage.
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ULL;
}

/// A growable byte buffer holding a file's image while a cut builds it.
typedef struct image {
    unsigned char *bytes;
    sqlite3_int64 size;
} image;

static int image_reserve(image *im, sqlite3_int64 size) {
    if (size <= im->size) return 0;
    unsigned char *grown = realloc(im->bytes, (size_t)size);
    if (!grown) return ENOMEM;
    memset(grown + im->size, 0, (size_t)(size - im->size));
    im->bytes = grown;
    im->size = size;
    return 0;
}

static int read_whole_file(const char *path, image *im) {
    im->bytes = NULL;
    im->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : errno;
    struct stat st;
    if (fstat(fd, &st) != 0) { int e = errno; close(fd); return e; }
    int e = image_reserve(im, st.st_size);
    sqlite3_int64 done = 0;
    while (!e && done < st.st_size) {
        ssize_t n = pread(fd, im->bytes + done, (size_t)(st.st_size - done), done);
        if (n < 0) { if (errno != EINTR) e = errno; continue; }
        if (n == 0) break;
        done += n;
    }
    close(fd);
    return e;
}

/// Turns the current content of `s`'s file into its after-cut content: the undo log applied
/// newest first, each 512-byte piece of each unsynced write restored, kept or garbage.
static int build_image(shadow *s, image *im, int tear, uint64_t *random, pc_cut_report *report) {
    int e = read_whole_file(s->path, im);
    if (e) return e;
    sqlite3_int64 final_size = s->synced_size;
    for (int i = s->undo_count - 1; i >= 0; i--) {
        undo_record *r = &s->undo[i];
        if ((e = image_reserve(im, r->offset + r->length))) return e;
        sqlite3_int64 at = r->offset, end = r->offset + r->length;
        while (at < end) {
            sqlite3_int64 piece_end = (at / PC_SECTOR + 1) * PC_SECTOR;
            if (piece_end > end) piece_end = end;
            sqlite3_int64 n = piece_end - at;
            int fate = tear == PC_TEAR_SECTORS ? (int)(next_random(random) % 3) : 0;
            if (fate == 0) {
                memcpy(im->bytes + at, r->before + (at - r->offset), (size_t)n);
                if (report) report->unsynced_bytes_lost += n;
            } else {
                if (fate == 2) {
                    for (sqlite3_int64 k = 0; k < n; k++) im->bytes[at + k] = (unsigned char)next_random(random);
                    if (report) report->unsynced_bytes_lost += n;
                } else if (report) {
                    report->unsynced_bytes_kept += n;
                }
                // A kept or garbled piece past the synced end means the unsynced growth got there too.
                if (piece_end > final_size) final_size = piece_end;
            }
            at = piece_end;
        }
    }
    if (final_size > im->size && (e = image_reserve(im, final_size))) return e;
    im->size = final_size;
    return 0;
}

static int write_whole_file(const char *path, const unsigned char *bytes, sqlite3_int64 size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    sqlite3_int64 done = 0;
    int e = 0;
    while (!e && done < size) {
        ssize_t n = pwrite(fd, bytes + done, (size_t)(size - done), done);
        if (n < 0) { if (errno != EINTR) e = errno; continue; }
        done += n;
    }
    if (close(fd) != 0 && !e) e = errno;
    return e;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int join_path(char *out, size_t capacity, const char *directory, const char *name) {
    int n = snprintf(out, capacity, "%s/%s", directory, name);
    return n < 0 || (size_t)n >= capacity ? ENAMETOOLONG : 0;
}

// --- The disk and its shadows ----------------------------------------------------------------

static pc_disk *disk_for_path(const char *path) {
    if (!path) return NULL;
    pthread_mutex_lock(&disks_lock);
    pc_disk *found = NULL;
    for (pc_disk *d = disks; d; d = d->next) {
        size_t n = strlen(d->directory);
        if (strncmp(path, d->directory, n) == 0 && path[n] == '/') { found = d; break; }
    }
    pthread_mutex_unlock(&disks_lock);
    return found;
}

static shadow *shadow_for(pc_disk *disk, const char *path, int existed) {
    for (shadow *s = disk->shadows; s; s = s->next) {
        if (strcmp(s->path, path) == 0) return s;
    }
    shadow *s = calloc(1, sizeof(shadow));
    if (!s) return NULL;
    s->path = strdup(path);
    if (!s->path) { free(s); return NULL; }
    s->durable = existed;
    if (existed) {
        struct stat st;
        s->synced_size = stat(path, &st) == 0 ? st.st_size : 0;
    }
    s->next = disk->shadows;
    disk->shadows = s;
    return s;
}

/// The directory was synced: every delete so far is durable, so no ghost can come back, and every
/// file there now exists for good (with its synced content: none, if it was never synced).
static void directory_synced(pc_disk *disk) {
    for (shadow *s = disk->shadows; s; s = s->next) {
        if (access(s->path, F_OK) == 0) s->durable = 1;
        free(s->ghost);
        s->ghost = NULL;
        s->ghost_size = 0;
        s->has_ghost = 0;
    }
}

static void free_shadows(pc_disk *disk) {
    shadow *s = disk->shadows;
    while (s) {
        shadow *next = s->next;
        drop_undo(s, s->undo_count);
        free(s->undo);
        free(s->ghost);
        free(s->path);
        free(s);
        s = next;
    }
    disk->shadows = NULL;
}

// --- The file methods ------------------------------------------------------------------------

static int pc_close(sqlite3_file *file) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xClose(f->real);
}

static int pc_read(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
    pc_file *f = (pc_file *)file;
    if (f->disk && atomic_load(&f->disk->dead)) return SQLITE_IOERR_READ;
    return f->real->pMethods->xRead(f->real, buffer, amount, offset);
}

static int pc_write(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
    pc_file *f = (pc_file *)file;
    if (!f->disk) return f->real->pMethods->xWrite(f->real, buffer, amount, offset);
    pthread_mutex_lock(&f->disk->lock);
    int rc = SQLITE_IOERR_WRITE;
    if (!atomic_load(&f->disk->dead)) {
        rc = record_undo(f->shadow, f->real, offset, amount);
        if (rc == SQLITE_OK) rc = f->real->pMethods->xWrite(f->real, buffer, amount, offset);
    }
    pthread_mutex_unlock(&f->disk->lock);
    return rc;
}

static int pc_truncate(sqlite3_file *file, sqlite3_int64 size) {
    pc_file *f = (pc_file *)file;
    if (!f->disk) return f->real->pMethods->xTruncate(f->real, size);
    pthread_mutex_lock(&f->disk->lock);
    int rc = SQLITE_IOERR_TRUNCATE;
    if (!atomic_load(&f->disk->dead)) {
        sqlite3_int64 current = 0;
        rc = f->real->pMethods->xFileSize(f->real, &current);
        if (rc == SQLITE_OK && size < current) rc = record_undo(f->shadow, f->real, size, current - size);
        if (rc == SQLITE_OK) rc = f->real->pMethods->xTruncate(f->real, size);
    }
    pthread_mutex_unlock(&f->disk->lock);
    return rc;
}

static int pc_sync(sqlite3_file *file, int flags) {
    pc_file *f = (pc_file *)file;
    if (!f->disk) return f->real->pMethods->xSync(f->real, flags);
    pc_disk *disk = f->disk;
    if (atomic_load(&disk->holding_syncs)) {
        // Polled, not a condition variable: a test holds syncs for milliseconds, and a cut or
        // release must end the wait too without anyone signalling it.
        atomic_fetch_add(&disk->held_syncs, 1);
        while (atomic_load(&disk->holding_syncs) && !atomic_load(&disk->dead)) usleep(200);
        atomic_fetch_sub(&disk->held_syncs, 1);
    }
    // What the sync covers is fixed when it starts; the lock is not held across the real fsync,
    // so other threads' writes may race it, as on a real disk (and they stay unsynced here).
    pthread_mutex_lock(&disk->lock);
    if (atomic_load(&disk->dead) || atomic_load(&disk->failing_syncs)) { pthread_mutex_unlock(&disk->lock); return SQLITE_IOERR_FSYNC; }
    uint64_t covered = f->shadow->next_sequence;
    sqlite3_int64 size = 0;
    int rc = f->real->pMethods->xFileSize(f->real, &size);
    pthread_mutex_unlock(&disk->lock);
    if (rc != SQLITE_OK) return rc;

    rc = f->real->pMethods->xSync(f->real, flags);

    pthread_mutex_lock(&disk->lock);
    if (atomic_load(&disk->dead)) {
        rc = SQLITE_IOERR_FSYNC;   // the power went while it was syncing: nothing is known to be on disk
    } else if (rc == SQLITE_OK) {
        shadow *s = f->shadow;
        drop_synced(s, covered);
        if (covered >= s->synced_through) {
            s->synced_through = covered;
            s->synced_size = size;
        }
        s->durable = 1;
        disk->syncs++;
        if (f->dir_sync_pending) {
            f->dir_sync_pending = 0;
            directory_synced(disk);
        }
    }
    pthread_mutex_unlock(&disk->lock);
    return rc;
}

static int pc_file_size(sqlite3_file *file, sqlite3_int64 *size) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int pc_lock(sqlite3_file *file, int level) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int pc_unlock(sqlite3_file *file, int level) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int pc_check_reserved_lock(sqlite3_file *file, int *out) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int pc_file_control(sqlite3_file *file, int op, void *argument) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xFileControl(f->real, op, argument);
}

static int pc_sector_size(sqlite3_file *file) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int pc_device_characteristics(sqlite3_file *file) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int pc_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int pc_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void pc_shm_barrier(sqlite3_file *file) {
    pc_file *f = (pc_file *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int pc_shm_unmap(sqlite3_file *file, int delete_flag) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int pc_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int pc_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *pointer) {
    pc_file *f = (pc_file *)file;
    return f->real->pMethods->xUnfetch(f->real, offset, pointer);
}

// --- The VFS methods -------------------------------------------------------------------------

static int pc_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs;
    pc_file *f = (pc_file *)file;
    memset(f, 0, sizeof(pc_file));
    f->real = (sqlite3_file *)(f + 1);
    int kind = flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL);
    pc_disk *disk = kind ? disk_for_path(name) : NULL;
    struct stat st;
    int existed = disk && stat(name, &st) == 0;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || !f->real->pMethods) {
        // SQLite calls xClose after a failed xOpen only when pMethods is set.
        if (f->real->pMethods) f->base.pMethods = &power_cut_methods;
        return rc;
    }
    f->base.pMethods = &power_cut_methods;
    if (disk) {
        pthread_mutex_lock(&disk->lock);
        if (!atomic_load(&disk->dead)) {
            f->shadow = shadow_for(disk, name, existed);
            if (f->shadow) {
                f->disk = disk;
                f->dir_sync_pending = (flags & SQLITE_OPEN_CREATE) && (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL));
            } else {
                rc = SQLITE_NOMEM;
            }
        } else {
            rc = SQLITE_IOERR;
        }
        pthread_mutex_unlock(&disk->lock);
    }
    return rc;
}

static int pc_delete(sqlite3_vfs *vfs, const char *name, int sync_directory) {
    (void)vfs;
    pc_disk *disk = disk_for_path(name);
    if (!disk) return real_vfs->xDelete(real_vfs, name, sync_directory);
    pthread_mutex_lock(&disk->lock);
    int rc = SQLITE_IOERR_DELETE;
    if (!atomic_load(&disk->dead)) {
        shadow *s = shadow_for(disk, name, access(name, F_OK) == 0);
        if (s && s->durable && !sync_directory) {
            // Until the directory is synced the file may come back: keep what it would come back with.
            image im;
            uint64_t unused = 1;
            if (build_image(s, &im, PC_TEAR_NONE, &unused, NULL) == 0) {
                free(s->ghost);
                s->ghost = im.bytes;
                s->ghost_size = im.size;
                s->has_ghost = 1;
            } else {
                free(im.bytes);
            }
        }
        if (s) {
            drop_undo(s, s->undo_count);
            s->durable = 0;
            s->synced_size = 0;
        }
        rc = real_vfs->xDelete(real_vfs, name, sync_directory);
        if (rc == SQLITE_OK && sync_directory) directory_synced(disk);
    }
    pthread_mutex_unlock(&disk->lock);
    return rc;
}

static int pc_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int pc_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, size, out);
}

static void *pc_dl_open(sqlite3_vfs *vfs, const char *name) { (void)vfs; return real_vfs->xDlOpen(real_vfs, name); }
static void pc_dl_error(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; real_vfs->xDlError(real_vfs, size, out); }
static void (*pc_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, handle, symbol);
}
static void pc_dl_close(sqlite3_vfs *vfs, void *handle) { (void)vfs; real_vfs->xDlClose(real_vfs, handle); }
static int pc_randomness(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return real_vfs->xRandomness(real_vfs, size, out); }
static int pc_sleep(sqlite3_vfs *vfs, int microseconds) { (void)vfs; return real_vfs->xSleep(real_vfs, microseconds); }
static int pc_current_time(sqlite3_vfs *vfs, double *out) { (void)vfs; return real_vfs->xCurrentTime(real_vfs, out); }
static int pc_get_last_error(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return real_vfs->xGetLastError(real_vfs, size, out); }
static int pc_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) { (void)vfs; return real_vfs->xCurrentTimeInt64(real_vfs, out); }
static int pc_set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call) {
    (void)vfs;
    return real_vfs->xSetSystemCall(real_vfs, name, call);
}
static sqlite3_syscall_ptr pc_get_system_call(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return real_vfs->xGetSystemCall(real_vfs, name);
}
static const char *pc_next_system_call(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return real_vfs->xNextSystemCall(real_vfs, name);
}

// --- The public face -------------------------------------------------------------------------

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_result = SQLITE_ERROR;

static void install(void) {
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs) return;
    power_cut_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = pc_close, .xRead = pc_read, .xWrite = pc_write, .xTruncate = pc_truncate,
        .xSync = pc_sync, .xFileSize = pc_file_size, .xLock = pc_lock, .xUnlock = pc_unlock,
        .xCheckReservedLock = pc_check_reserved_lock, .xFileControl = pc_file_control,
        .xSectorSize = pc_sector_size, .xDeviceCharacteristics = pc_device_characteristics,
        .xShmMap = pc_shm_map, .xShmLock = pc_shm_lock, .xShmBarrier = pc_shm_barrier,
        .xShmUnmap = pc_shm_unmap, .xFetch = pc_fetch, .xUnfetch = pc_unfetch,
    };
    power_cut_vfs = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)sizeof(pc_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = "powercut",
        .xOpen = pc_open, .xDelete = pc_delete, .xAccess = pc_access, .xFullPathname = pc_full_pathname,
        .xDlOpen = pc_dl_open, .xDlError = pc_dl_error, .xDlSym = pc_dl_sym, .xDlClose = pc_dl_close,
        .xRandomness = pc_randomness, .xSleep = pc_sleep, .xCurrentTime = pc_current_time,
        .xGetLastError = pc_get_last_error, .xCurrentTimeInt64 = pc_current_time_int64,
        .xSetSystemCall = pc_set_system_call, .xGetSystemCall = pc_get_system_call,
        .xNextSystemCall = pc_next_system_call,
    };
    install_result = sqlite3_vfs_register(&power_cut_vfs, 1);
}

int pc_install(void) {
    pthread_once(&install_once, install);
    return install_result;
}

pc_disk *pc_disk_adopt(const char *directory) {
    if (pc_install() != SQLITE_OK) return NULL;
    char resolved[PATH_MAX];
    if (!realpath(directory, resolved)) return NULL;
    pc_disk *disk = calloc(1, sizeof(pc_disk));
    if (!disk) return NULL;
    disk->directory = strdup(resolved);
    if (!disk->directory) { free(disk); return NULL; }
    pthread_mutex_init(&disk->lock, NULL);
    pthread_mutex_lock(&disks_lock);
    disk->next = disks;
    disks = disk;
    pthread_mutex_unlock(&disks_lock);
    return disk;
}

static int cut_shm(const char *source, const char *target, int shm, uint64_t *random, pc_cut_report *report) {
    if (shm == PC_SHM_ABSENT) return 0;
    image im;
    int e = read_whole_file(source, &im);
    if (!e && shm == PC_SHM_GARBAGE) {
        for (sqlite3_int64 k = 0; k < im.size; k++) im.bytes[k] = (unsigned char)next_random(random);
    }
    if (!e) e = write_whole_file(target, im.bytes, im.size);
    if (!e) report->files++;
    free(im.bytes);
    return e;
}

int pc_disk_cut(pc_disk *disk, const char *target_directory, uint64_t seed, int tear, int shm, pc_cut_report *report) {
    memset(report, 0, sizeof(*report));
    uint64_t random = seed * 0x9E3779B97F4A7C15ULL + 1;
    char target[PATH_MAX], source[PATH_MAX];
    int e = 0;
    pthread_mutex_lock(&disk->lock);
    atomic_store(&disk->dead, 1);
    for (shadow *s = disk->shadows; s && !e; s = s->next) {
        if ((e = join_path(target, sizeof target, target_directory, base_name(s->path)))) break;
        if (access(s->path, F_OK) == 0 && s->durable) {
            image im;
            e = build_image(s, &im, tear, &random, report);
            if (!e) e = write_whole_file(target, im.bytes, im.size);
            if (!e) report->files++;
            free(im.bytes);
        } else if (s->has_ghost) {
            e = write_whole_file(target, s->ghost, s->ghost_size);
            if (!e) { report->files++; report->resurrected_files++; }
        } else {
            // Never synced since it was created: after the cut it is as if it never existed.
            for (int i = 0; i < s->undo_count; i++) report->unsynced_bytes_lost += s->undo[i].length;
        }
    }
    // Files SQLite did not open through xOpen: the -shm (never durable) and anything else (as is).
    DIR *listing = e ? NULL : opendir(disk->directory);
    if (!e && !listing) e = errno;
    struct dirent *entry;
    while (!e && listing && (entry = readdir(listing))) {
        if (entry->d_name[0] == '.') continue;
        if ((e = join_path(source, sizeof source, disk->directory, entry->d_name))) break;
        if ((e = join_path(target, sizeof target, target_directory, entry->d_name))) break;
        int tracked = 0;
        for (shadow *s = disk->shadows; s; s = s->next) tracked |= strcmp(s->path, source) == 0;
        if (tracked) continue;
        size_t n = strlen(entry->d_name);
        if (n > 4 && strcmp(entry->d_name + n - 4, "-shm") == 0) {
            e = cut_shm(source, target, shm, &random, report);
        } else {
            image im;
            e = read_whole_file(source, &im);
            if (!e) e = write_whole_file(target, im.bytes, im.size);
            if (!e) report->files++;
            free(im.bytes);
        }
    }
    if (listing) closedir(listing);
    free_shadows(disk);
    pthread_mutex_unlock(&disk->lock);
    return e;
}

int64_t pc_disk_unsynced_bytes(pc_disk *disk) {
    pthread_mutex_lock(&disk->lock);
    int64_t total = 0;
    for (shadow *s = disk->shadows; s; s = s->next) {
        for (int i = 0; i < s->undo_count; i++) total += s->undo[i].length;
    }
    pthread_mutex_unlock(&disk->lock);
    return total;
}

int64_t pc_disk_syncs(pc_disk *disk) {
    pthread_mutex_lock(&disk->lock);
    int64_t syncs = disk->syncs;
    pthread_mutex_unlock(&disk->lock);
    return syncs;
}

void pc_disk_fail_syncs(pc_disk *disk, int failing) {
    atomic_store(&disk->failing_syncs, failing ? 1 : 0);
}

void pc_disk_hold_syncs(pc_disk *disk, int holding) {
    atomic_store(&disk->holding_syncs, holding ? 1 : 0);
}

int pc_disk_held_syncs(pc_disk *disk) {
    return atomic_load(&disk->held_syncs);
}

void pc_disk_release(pc_disk *disk) {
    // The disk itself stays allocated (a few bytes a test): files still open point at it.
    pthread_mutex_lock(&disk->lock);
    atomic_store(&disk->dead, 1);
    free_shadows(disk);
    pthread_mutex_unlock(&disk->lock);
    pthread_mutex_lock(&disks_lock);
    for (pc_disk **link = &disks; *link; link = &(*link)->next) {
        if (*link == disk) { *link = disk->next; break; }
    }
    pthread_mutex_unlock(&disks_lock);
}
