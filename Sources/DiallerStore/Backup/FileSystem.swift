import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX file calls a durable copy needs, with the system's words for a failure.
enum FileSystem {
    /// `strerror(errno)`, as the system says it.
    static var lastError: String { String(cString: strerror(errno)) }

    /// True when both paths name one existing file (the same inode, whatever the links).
    static func sameFile(_ one: String, _ other: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(one, &first) == 0, stat(other, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// fsync: the file's bytes are on the disk before it is renamed into place.
    static func synchronize(file path: String, failing error: (String) -> any Error) throws {
        try synchronize(path, flags: O_RDONLY, failing: error)
    }

    /// fsync of a folder: a rename in it survives power loss.
    static func synchronize(directory path: String, failing error: (String) -> any Error) throws {
        try synchronize(path, flags: O_RDONLY | O_DIRECTORY, failing: error)
    }

    private static func synchronize(_ path: String, flags: Int32, failing error: (String) -> any Error) throws {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else { throw error(lastError) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw error(lastError) }
    }
}
