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
        let groups = try query("""
            SELECT g.call_group,
                   (SELECT count(*) FROM calls WHERE state = 'waiting' AND call_group = g.call_group),
                   (SELECT count(*) FROM call_queue WHERE call_group = g.call_group),
                   (SELECT count(*) FROM calls WHERE state = 'dialling' AND call_group = g.call_group)
            FROM (SELECT DISTINCT call_group FROM lead_types) g ORDER BY g.call_group
            """) { QueueSnapshot.Group(name: $0.text(0), waiting: $0.int(1), queued: $0.int(2), dialling: $0.int(3)) }
        let oldestDue = try queryFirst("SELECT min(due_at) FROM calls WHERE state = 'waiting' AND due_at <= ?",
                                       .text(now.iso8601)) { $0.optionalText(0) }.flatMap { $0 }.flatMap(Timestamp.init(iso8601:))
        let lag = oldestDue.map { Double(now.milliseconds - $0.milliseconds) / 1000 } ?? 0
        return QueueSnapshot(groups: groups, promotionLagSeconds: lag)
    }
}

extension Store {
    /// Counts per call group and the promotion lag, from a reader.
    public func queueSnapshot() async throws -> QueueSnapshot {
        let clock = self.clock
        return try await read { try $0.queueSnapshot(at: clock.now()) }
    }
}
