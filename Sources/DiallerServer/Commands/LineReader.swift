import Foundation

/// The lines of a file, read in blocks so that a 20-million-line list is never held whole in memory.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    private static let blockSize = 1 << 20

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot read \(path): no such file, or it cannot be read") }
        self.handle = handle
    }

    /// The next line without its line end (`\n` or `\r\n`), or nil at the end of the file.
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
            let block = handle.readData(ofLength: Self.blockSize)
            if block.isEmpty { finished = true } else { buffer.append(contentsOf: block) }
        }
    }
}
