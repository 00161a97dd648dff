import Foundation

/// The lines of a file, read in blocks so that a 20-million-line list is never held whole in memory.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private static let blockSize = 1 << 20

    init(path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw CommandFailure("cannot read \(path): it is a folder, not a file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot read \(path): no such file, or it cannot be read") }
        self.handle = handle
    }

    /// The first read error (a directory, an I/O error), which ends the lines; the caller must check it.
    private(set) var failure: (any Error)?

    /// The next line without its line end (`\n` or `\r\n`), or nil at the end of the file (or at
    /// a read error: see `failure`).
    mutating func next() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            do {
                // The throwing read: Foundation's readData(ofLength:) traps on a read error.
                let block = try handle.read(upToCount: Self.blockSize) ?? Data()
                if block.isEmpty { finished = true } else { buffer.append(contentsOf: block) }
            } catch {
                failure = error
                finished = true
                buffer.removeAll()
                start = 0
            }
        }
    }
}
