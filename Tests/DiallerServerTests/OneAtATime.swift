import Testing

/// Suites that must not run beside each other, whatever else runs: `RawConnectionTests` keeps a
/// core busy on purpose (a thread reopening /dev/null as fast as it can, for seconds), and
/// `BackupTests` bounds how long an intake request may take during a backup. Overlapping, the
/// backup's slowest request took 0.57-1.32 s (bound 1 s) in five of ten whole-suite runs; apart,
/// 0.05-0.63 s in four.
@Suite(.serialized) enum OneAtATime {}
