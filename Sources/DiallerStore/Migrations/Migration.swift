import Crypto
import Foundation

/// One `Migrations/NNNN_name.sql` file: applied once, in version order, never edited afterwards.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// The file's name as an administrator sees it.
    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    /// SHA-256 of the SQL, hex: how an edited migration is recognised.
    public var checksum: String { SHA256.hash(data: Data(sql.utf8)).hexString }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
