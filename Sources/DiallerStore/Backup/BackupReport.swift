/// What a finished backup wrote, for the command's one line of output.
public struct BackupReport: Sendable, Equatable {
    /// The copy's final path.
    public let path: String
    /// The copy's size in bytes.
    public let bytes: Int
    /// Leads in the copy.
    public let leads: Int
    /// `PRAGMA integrity_check` on the copy (always `ok`: any other answer fails the backup).
    public let integrity: String
    /// Wall time from opening the source to the copy's rename.
    public let seconds: Double
}
