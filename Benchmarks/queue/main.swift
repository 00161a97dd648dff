// Claims per second with a deep queue: the dialling order (priority, first attempt, due time
// flipped for newest-first types, call_id, read off call_queue_dialling_order) against the order
// before it (due_at, call_id, on the index (call_group, due_at, call_id)), on the same data.
//
//   swift run -c release --scratch-path .build-release queue-benchmark [QUEUED] [CLAIMS] [RUNS]
//
// Builds one database of QUEUED (default 1,000,000) queued calls over three lead types of one call
// group, priorities 80 (newest first), 50 and 20, a quarter of them retries; copies it, and gives
// the copy the old indexes instead of the new. Each run then makes CLAIMS (default 20,000) claims
// on each copy, alternately first, each claim its own transaction with the claim's statements
// (head of the queue, do-not-call look-up, out of the queue, the call to dialling, its attempt),
// the head differing only in its ORDER BY. Prints claims/s per run, the medians and their ratio
// (and the median of each run's own ratio, steadier when the machine's speed drifts);
// then claims/s through Store.claimNextCall (the whole claim, 8 diallers at once) on the new order.
import DiallerStore
import Foundation

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let queued = arguments.count > 0 ? arguments[0] : 1_000_000
let claims = arguments.count > 1 ? arguments[1] : 20_000
let runs = arguments.count > 2 ? arguments[2] : 3
let migrations = FileManager.default.currentDirectoryPath + "/Migrations"

/// The head of the group's queue in the dialling order (as the store's claim reads it).
let newHead = """
    SELECT q.call_id, k.contact_id, c.mobile FROM call_queue q JOIN calls k ON k.call_id = q.call_id
    JOIN contacts c ON c.contact_id = k.contact_id
    WHERE q.call_group = ? ORDER BY q.priority DESC, q.first_attempt DESC, q.sort_key, q.call_id LIMIT 1
    """
/// The head as it was read before the dialling order: earliest due, then oldest.
let oldHead = """
    SELECT q.call_id, k.contact_id, c.mobile FROM call_queue q JOIN calls k ON k.call_id = q.call_id
    JOIN contacts c ON c.contact_id = k.contact_id
    WHERE q.call_group = ? ORDER BY q.due_at, q.call_id LIMIT 1
    """

/// The queued calls: contacts, leads and calls written straight in, then queued as promotion does.
/// Answers the dialler key.
func fill(_ path: String) async throws -> String {
    let store = try Store(StoreConfiguration(path: path, migrationsDirectory: migrations))
    defer { store.close() }
    _ = try await store.createKey(role: .partner, name: "bench")
    let dialler = try await store.createKey(role: .dialler, name: "floor").key
    try await store.writer.write { connection in
        try connection.execute(
            script: """
                INSERT INTO lead_types(name, call_group, priority, fresh_order) VALUES ('hot', 'motor-trade', 80, 'newest');
                INSERT INTO lead_types(name, call_group, priority) VALUES ('warm', 'motor-trade', 50);
                INSERT INTO lead_types(name, call_group, priority) VALUES ('cold', 'motor-trade', 20);
                """)
        try connection.execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO contacts(contact_id, mobile, created_at)
            SELECT i, '+4471' || (10000000 + i), '2026-11-29T08:00:00.000Z' FROM n
            """, .int(queued))
        // Due times spread over the night before, in a mixed order; one lead in four a retry.
        try connection.execute(
            """
            INSERT INTO leads(lead_id, received_at, partner_id, key_id, type, lead_type_id, first_name, surname, email,
                              contact_id, outcome, raw_request)
            SELECT contact_id, '2026-11-29T08:00:00.000Z', 1, 1, t.name, t.lead_type_id, 'Bench', 'Lead', 'lead@example.com',
                   contact_id, 'processed', '{}'
            FROM contacts JOIN lead_types t ON t.lead_type_id = 1 + contact_id % 3
            """)
        try connection.execute(
            """
            INSERT INTO calls(call_id, lead_id, contact_id, lead_type_id, call_group, state, due_at, created_at, queued_at, attempts)
            SELECT lead_id, lead_id, contact_id, lead_type_id, 'motor-trade', 'queued',
                   strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-29T00:00:00.000Z', '+' || ((lead_id * 7919) % 28800) || ' seconds'),
                   received_at, received_at, CASE WHEN lead_id % 4 = 0 THEN 1 ELSE 0 END
            FROM leads
            """)
        try connection.execute(
            """
            INSERT INTO call_queue(call_id, call_group, due_at, queued_at, lead_type_id, priority, first_attempt, sort_key)
            SELECT k.call_id, k.call_group, k.due_at, k.queued_at, k.lead_type_id, t.priority, k.attempts = 0,
                   CASE WHEN k.attempts = 0 AND t.fresh_order = 'newest' THEN -1 ELSE 1 END
                   * (CAST(strftime('%s', k.due_at) AS INTEGER) * 1000 + CAST(substr(k.due_at, 21, 3) AS INTEGER))
            FROM calls k JOIN lead_types t ON t.lead_type_id = k.lead_type_id
            """)
    }
    return dialler
}

/// `claims` claims, one transaction each, on `connection`, the head read by `head`.
func measureClaims(_ connection: Connection, head: String) throws -> Double {
    let started = Date()
    for _ in 0..<claims {
        try connection.execute(script: "BEGIN IMMEDIATE")
        guard let call = try connection.queryFirst(head, .text("motor-trade"), row: { (id: $0.int64(0), contact: $0.int64(1), mobile: $0.text(2)) })
        else {
            fatalError("the queue ran dry")
        }
        _ = try connection.queryFirst(
            """
            SELECT l.name FROM suppressions s JOIN suppression_lists l ON l.list_id = s.list_id AND l.generation = s.generation
            WHERE s.mobile = ? LIMIT 1
            """, .text(call.mobile)
        ) { $0.text(0) }
        _ = try connection.execute("DELETE FROM call_queue WHERE call_id = ?", .integer(call.id))
        _ = try connection.execute(
            """
            UPDATE calls SET state = 'dialling', claimed_at = ?1, claimed_by = 2, lease_expires_at = ?1, attempts = attempts + 1
            WHERE call_id = ?2
            """, .text("2026-11-29T09:00:00.000Z"), .integer(call.id))
        _ = try connection.execute(
            """
            INSERT INTO call_attempts(call_id, contact_id, dialler_id, claimed_at) VALUES (?, ?, 2, '2026-11-29T09:00:00.000Z')
            """, .integer(call.id), .integer(call.contact))
        try connection.execute(script: "COMMIT")
    }
    return Double(claims) / Date().timeIntervalSince(started)
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func format(_ value: Double) -> String { String(format: "%.0f", value) }

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("queue-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let newPath = directory + "/new.sqlite"
let oldPath = directory + "/old.sqlite"
var clock = Date()
let diallerKey = try await fill(newPath)
do {
    // Both copies' queue indexes built the same way, in one sorted pass (the fill's inserts, in
    // call order, left the new ones' pages half full and scattered: a handicap the old ones,
    // made by CREATE INDEX below, would not have).
    try Connection(path: newPath).execute(script: "REINDEX call_queue_dialling_order; REINDEX call_queue_global_order;")
}
try FileManager.default.copyItem(atPath: newPath, toPath: oldPath)
do {
    let old = try Connection(path: oldPath)
    try old.execute(
        script: """
            DROP INDEX call_queue_dialling_order;
            DROP INDEX call_queue_global_order;
            CREATE INDEX call_queue_dialling_order ON call_queue(call_group, due_at, call_id);
            CREATE INDEX call_queue_global_order ON call_queue(due_at, call_id);
            """)
}
print(
    "queue-benchmark: \(queued) queued calls over priorities 80/50/20, \(claims) claims per run, \(runs) runs (set-up \(format(Date().timeIntervalSince(clock))) s)"
)

var newFigures: [Double] = []
var oldFigures: [Double] = []
for run in 1...runs {
    let new = try Connection(path: newPath)
    let old = try Connection(path: oldPath)
    for connection in [new, old] { try connection.execute(script: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL") }
    if run % 2 == 1 {
        newFigures.append(try measureClaims(new, head: newHead))
        oldFigures.append(try measureClaims(old, head: oldHead))
    } else {
        oldFigures.append(try measureClaims(old, head: oldHead))
        newFigures.append(try measureClaims(new, head: newHead))
    }
    print("run \(run): dialling order \(format(newFigures.last!)) claims/s, previous order \(format(oldFigures.last!)) claims/s")
}
let ratio = median(newFigures) / median(oldFigures)
let paired = median(zip(newFigures, oldFigures).map { $0 / $1 })
print(
    "median: dialling order \(format(median(newFigures))) claims/s, previous order \(format(median(oldFigures))) claims/s, ratio \(String(format: "%.2f", ratio)) (median of the runs' own ratios \(String(format: "%.2f", paired)))"
)

// The whole claim through the store, as /queue/next makes it: 8 diallers at once, group commit.
let store = try Store(StoreConfiguration(path: newPath, migrationsDirectory: migrations))
guard let principal = try store.authenticate(key: diallerKey) else { fatalError("the dialler key does not authenticate") }
let started = Date()
try await withThrowingTaskGroup(of: Void.self) { group in
    for _ in 0..<8 {
        group.addTask {
            for _ in 0..<(claims / 8) {
                let report = try await store.claimNextCall(callGroup: "motor-trade", by: principal)
                precondition(report.call != nil, "the queue ran dry")
            }
        }
    }
    try await group.waitForAll()
}
print("store: \(format(Double(claims / 8 * 8) / Date().timeIntervalSince(started))) claims/s through Store.claimNextCall (8 diallers)")
store.close()
