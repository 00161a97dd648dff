import CSQLite

/// SQLite's "transient" destructor: it copies the bytes before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement, cached by its connection and reused for every execution.
public final class Statement {
    let pointer: OpaquePointer
    let sql: String
    private unowned let connection: Connection

    init(connection: Connection, sql: String) throws {
        var pointer: OpaquePointer?
        // PERSISTENT: these statements live as long as the connection, see sqlite.org/c3ref/c_prepare_normalize.html
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else { throw connection.error(code, sql: sql) }
        self.pointer = pointer
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(pointer) }

    /// Executes the statement to completion, ignoring any rows.
    func run(_ values: [SQLValue]) throws {
        try bind(values)
        defer { sqlite3_reset(pointer) }
        while true {
            let code = sqlite3_step(pointer)
            if code == SQLITE_DONE { return }
            if code != SQLITE_ROW { throw connection.error(code, sql: sql) }
        }
    }

    func rows<T>(_ values: [SQLValue], _ map: (Row) throws -> T) throws -> [T] {
        try bind(values)
        defer { sqlite3_reset(pointer) }
        var result: [T] = []
        while true {
            let code = sqlite3_step(pointer)
            if code == SQLITE_DONE { return result }
            if code != SQLITE_ROW { throw connection.error(code, sql: sql) }
            result.append(try map(Row(pointer: pointer)))
        }
    }

    func firstRow<T>(_ values: [SQLValue], _ map: (Row) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(pointer) }
        let code = sqlite3_step(pointer)
        if code == SQLITE_DONE { return nil }
        if code != SQLITE_ROW { throw connection.error(code, sql: sql) }
        return try map(Row(pointer: pointer))
    }

    private func bind(_ values: [SQLValue]) throws {
        sqlite3_clear_bindings(pointer)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(pointer, index)
            case .integer(let number): code = sqlite3_bind_int64(pointer, index, number)
            case .real(let number): code = sqlite3_bind_double(pointer, index, number)
            case .text(let string):
                var string = string
                code = string.withUTF8 { bytes in
                    guard let base = bytes.baseAddress, bytes.count > 0 else {
                        return sqlite3_bind_text(pointer, index, "", 0, transient)
                    }
                    return UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(pointer, index, $0, Int32(bytes.count), transient)
                    }
                }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { sqlite3_bind_blob(pointer, index, $0.baseAddress, Int32($0.count), transient) }
            }
            if code != SQLITE_OK { throw connection.error(code, sql: sql) }
        }
    }
}

/// The current row of a stepping statement; valid only inside the mapping closure.
public struct Row {
    let pointer: OpaquePointer

    /// How many columns the row has.
    public var columnCount: Int32 { sqlite3_column_count(pointer) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(pointer, column) == SQLITE_NULL }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(pointer, column) }

    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(pointer, column)) }

    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    public func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(pointer, column) else { return "" }
        let count = Int(sqlite3_column_bytes(pointer, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}
