#if canImport(Glibc)
import Glibc
#endif

/// Standard output and standard error, written with `write(2)`: a stream that can no longer be
/// written (its reader gone: a log pipeline that died, a closed terminal) loses the text, never the
/// process. Foundation's `FileHandle.write(_:)` traps on such an error, so a server whose log
/// reader went away crashed on its next log line (SIGPIPE is ignored here, so the write fails
/// with EPIPE rather than killing the process).
enum StandardStream {
    case output, error

    private var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }

    /// Writes all of `text`, retrying short and interrupted writes; gives up silently on an error.
    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
