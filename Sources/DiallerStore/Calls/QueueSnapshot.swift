/// Queue depth per call group and how far promotion is behind, as metrics and supervisors see them.
public struct QueueSnapshot: Sendable, Equatable {
    /// One call group's counts.
    public struct Group: Sendable, Equatable {
        public let name: String
        public let waiting: Int
        public let queued: Int
        public let dialling: Int
    }

    public let groups: [Group]
    /// Now minus the due time of the oldest waiting call that is already due; 0 when none is.
    public let promotionLagSeconds: Double
}

extension Connection {
    func queueSnapshot(at now: Timestamp) throws -> QueueSnapshot {
        // Each count reads only its own rows, through the partial indexes on waiting and dialling
        // calls and the queue's own index: no index on every call is kept just for metrics.
        let waiting = try countsByGroup("SELECT call_group, count(*) FROM calls WHERE state = 'waiting' GROUP BY call_group")
        let queued = try countsByGroup("SELECT call_group, count(*) FROM call_queue GROUP BY call_group")
        let dialling = try countsByGroup("SELECT call_group, count(*) FROM calls WHERE state = 'dialling' GROUP BY call_group")
        let names = try query("SELECT DISTINCT call_group FROM lead_types ORDER BY call_group") { $0.text(0) }
        let groups = names.map {
            QueueSnapshot.Group(name: $0, waiting: waiting[$0] ?? 0, queued: queued[$0] ?? 0, dialling: dialling[$0] ?? 0)
        }
        let oldestDue = try queryFirst(
            "SELECT min(due_at) FROM calls WHERE state = 'waiting' AND due_at <= ?",
            .text(now.iso8601)
        ) { $0.optionalText(0) }.flatMap { $0 }.flatMap(Timestamp.init(iso8601:))
        let lag = oldestDue.map { Double(now.milliseconds - $0.milliseconds) / 1000 } ?? 0
        return QueueSnapshot(groups: groups, promotionLagSeconds: lag)
    }
}

extension Connection {
    /// A `SELECT call_group, count(*) … GROUP BY call_group` as a dictionary.
    private func countsByGroup(_ sql: String) throws -> [String: Int] {
        Dictionary(try query(sql) { ($0.text(0), $0.int(1)) }, uniquingKeysWith: +)
    }
}
