import DiallerStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The secrets key's file: exactly 32 random bytes, readable by the server's user alone, kept
/// outside the database and backed up apart from it (docs/install-and-recovery.md).
enum SecretsKeyFile {
    /// The key in the file at `path`; one line naming the file when it cannot be read or is not a key.
    static func read(_ path: String) throws -> SecretsKey {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot read the secrets key file \(path): \(Self.reason(of: error))")
        }
        guard let key = SecretsKey(bytes: Array(data)) else {
            throw CommandFailure(
                "the secrets key file \(path) holds \(data.count) bytes, not \(SecretsKey.byteCount) "
                    + "(dialler-server secrets init --to PATH writes one)")
        }
        return key
    }

    /// Writes a new key to `path` with mode 0600, durably; refuses a file that exists, since a key
    /// that is overwritten can no longer open what it sealed.
    static func write(_ bytes: [UInt8], to path: String) throws {
        // O_EXCL: never replace a key; 0600: only the server's user reads it.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw CommandFailure("\(path) exists; a secrets key file is never overwritten (choose another path)") }
            throw CommandFailure("cannot write the secrets key file \(path): \(String(cString: strerror(code)).lowercased())")
        }
        var failure: Int32?
        if fchmod(descriptor, 0o600) != 0 { failure = errno }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if failure == nil, written != bytes.count { failure = written < 0 ? errno : EIO }
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if let failure {
            unlink(path)
            throw CommandFailure("cannot write the secrets key file \(path): \(String(cString: strerror(failure)).lowercased())")
        }
        // The new name survives a power cut too.
        let folder = open(
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
            O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Removes a key file this command wrote when what it was for did not happen.
    static func remove(_ path: String) {
        unlink(path)
    }

    private static func reason(of error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if (error as NSError).code == NSFileReadNoSuchFileError { return "no such file or directory" }
        if (error as NSError).code == NSFileReadNoPermissionError { return "permission denied" }
        return (error as NSError).localizedDescription
    }
}
