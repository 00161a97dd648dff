import CSQLite

extension Connection {
    /// The WAL's own file (`SQLITE_FCNTL_JOURNAL_POINTER` on the main database), for syncing it
    /// from another thread; nil when the connection has no WAL open.
    func writeAheadLog() -> WriteAheadLogFile? {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) == SQLITE_OK,
            let file, file.pointee.pMethods != nil
        else { return nil }
        return WriteAheadLogFile(file: file, owner: self)
    }
}

/// The writer's WAL file, which the WAL-sync thread makes durable while the writer goes on.
///
/// `@unchecked Sendable` because one thread syncs it while the writer's thread writes to it, which
/// the unix VFS allows: its xSync is an fdatasync of the descriptor, and the one field it also
/// changes (the directory-sync flag) is cleared by the first sync, made on the writer's queue when
/// the writer is created. `owner` keeps the connection, and with it the file, open for every sync.
struct WriteAheadLogFile: @unchecked Sendable {
    let file: UnsafeMutablePointer<sqlite3_file>
    let owner: Connection

    /// Makes every frame written before this call durable; answers an SQLite result code.
    func sync() -> Int32 {
        guard let methods = file.pointee.pMethods, let sync = methods.pointee.xSync else { return SQLITE_MISUSE }
        return sync(file, SQLITE_SYNC_NORMAL)
    }
}

extension Connection {
    /// After a failed WAL sync: refuses every later write on this connection (`query_only`) and
    /// keeps SQLite from checkpointing at close, which would copy frames the kernel may have
    /// dropped (fsyncgate) into the database file.
    func stopWriting() {
        _ = try? execute(script: "PRAGMA query_only = 1")
        _ = dialler_sqlite3_no_checkpoint_on_close(handle)
    }
}
