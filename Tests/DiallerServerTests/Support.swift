import DiallerStore

@testable import DiallerServer

/// Opens a second, independent connection to a test's database (a supervisor's sqlite3, say).
enum DiallerStoreConnection {
    static func open(_ path: String) throws -> Connection {
        try Connection(path: path, busyTimeoutMilliseconds: 100)
    }
}
