import Foundation

/// A kind of lead an administrator has configured, as the scheduler needs it.
struct LeadType: Sendable {
    let id: Int64
    let name: String
    let callGroup: String
    let active: Bool
    /// Days a finished call blocks a new one for the same mobile; nil means forever.
    let dedupeDays: Int?
    let defaultDelay: Int
    let window: CallingWindow?
    /// Attempts after which a retry request finishes the call; nil means no limit.
    let maxAttempts: Int?
    /// The shortest retry a dialler may ask for.
    let minRetrySeconds: Int
    /// Whether a lead must carry consent no older than `consentMaxAgeDays` to be saved at all.
    let requiresConsent: Bool
    let consentMaxAgeDays: Int
    /// The mobile line types this type's calls may go to; nil means every type.
    let lineTypes: Set<LineType>?
    /// The IANA zone whose midnight starts the type's day (its calling window and partners' daily caps).
    let timeZone: String

    /// The due time of a call scheduled at `now` after `delay` seconds, moved into the window.
    func dueTime(from now: Timestamp, delay: Int?) -> Timestamp {
        let due = now.adding(seconds: delay ?? defaultDelay)
        return window?.earliestOpening(atOrAfter: due) ?? due
    }
}

extension LeadType {
    /// A `lead_types` row, as both look-ups select it.
    init(row: Row) throws {
        let name = row.text(1)
        self.init(
            id: row.int64(0), name: name, callGroup: row.optionalText(2) ?? name, active: row.int(3) == 1,
            dedupeDays: row.optionalInt64(4).map(Int.init), defaultDelay: row.int(5),
            window: try CallingWindow.from(
                typeName: name, start: row.optionalText(6), end: row.optionalText(7),
                days: row.optionalText(8), timeZone: row.text(9)),
            maxAttempts: row.optionalInt64(10).map(Int.init), minRetrySeconds: row.int(11),
            requiresConsent: row.int(12) == 1, consentMaxAgeDays: row.int(13),
            lineTypes: try Self.lineTypes(typeName: name, list: row.optionalText(14)), timeZone: row.text(9))
    }

    /// `lead_types.line_types` ('mobile,fixed_line'), each word one of `LineType`'s raw values.
    static func lineTypes(typeName: String, list: String?) throws -> Set<LineType>? {
        guard let list else { return nil }
        var types = Set<LineType>()
        for word in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = word.trimmingCharacters(in: .whitespaces)
            guard let type = LineType(rawValue: name) else {
                let known = LineType.allCases.map(\.rawValue).joined(separator: ", ")
                throw StoreError.invalidLeadType(name: typeName, reason: "line_types has \"\(name)\", not one of \(known)")
            }
            types.insert(type)
        }
        return types
    }

    /// Whether a mobile of this line type may be called for this type.
    func accepts(_ lineType: LineType) -> Bool {
        lineTypes?.contains(lineType) ?? true
    }
}

extension Connection {
    /// The type named `name`, whether active or not.
    func leadType(named name: String) throws -> LeadType? {
        try queryFirst(
            """
            SELECT lead_type_id, name, call_group, active, dedupe_days, default_delay,
                   window_start, window_end, window_days, time_zone, max_attempts, min_retry_seconds,
                   requires_consent, consent_max_age_days, line_types
            FROM lead_types WHERE name = ?
            """, .text(name), row: LeadType.init(row:))
    }

    /// The type with this id, whether active or not.
    func leadType(id: Int64) throws -> LeadType? {
        try queryFirst(
            """
            SELECT lead_type_id, name, call_group, active, dedupe_days, default_delay,
                   window_start, window_end, window_days, time_zone, max_attempts, min_retry_seconds,
                   requires_consent, consent_max_age_days, line_types
            FROM lead_types WHERE lead_type_id = ?
            """, .integer(id), row: LeadType.init(row:))
    }

    /// Every type's name, checking that each can be scheduled: its window, its call group and its
    /// time zone, even without a window (the README promises unknown zones are refused). Run at
    /// opening and inside every migration's transaction.
    func validateLeadTypes() throws -> [String] {
        // Before migration 0010 (the promise runs after every migration) types have no order yet.
        let sql =
            try hasColumn("fresh_order", in: "lead_types")
            ? "SELECT name, time_zone, coalesce(call_group, name), priority, fresh_order FROM lead_types ORDER BY name"
            : "SELECT name, time_zone, coalesce(call_group, name), 50, 'oldest' FROM lead_types ORDER BY name"
        let types = try query(sql) {
            (name: $0.text(0), zone: $0.text(1), callGroup: $0.text(2), priority: $0.int64(3), freshOrder: $0.optionalText(4))
        }
        for type in types {
            guard TimeZone(identifier: type.zone) != nil else {
                throw StoreError.invalidLeadType(name: type.name, reason: "unknown time zone \"\(type.zone)\"")
            }
            if type.callGroup.trimmingCharacters(in: .whitespaces).isEmpty {
                throw StoreError.invalidLeadType(name: type.name, reason: "call_group must not be blank")
            }
            // The table is STRICT, so priority is a whole number; its range is checked here, naming the type.
            guard (0...99).contains(type.priority) else {
                throw StoreError.invalidLeadType(name: type.name, reason: "priority must be from 0 to 99, got \(type.priority)")
            }
            guard type.freshOrder == "oldest" || type.freshOrder == "newest" else {
                throw StoreError.invalidLeadType(
                    name: type.name,
                    reason: "fresh_order must be 'oldest' or 'newest', got \(type.freshOrder.map { "'\($0)'" } ?? "NULL")")
            }
            _ = try leadType(named: type.name)
        }
        return types.map(\.name)
    }
}

extension Connection {
    /// Whether `table` has a column named `column` (checks that must also hold on older schemas).
    func hasColumn(_ column: String, in table: String) throws -> Bool {
        try queryFirst("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", .text(table), .text(column)) { _ in true } ?? false
    }
}
