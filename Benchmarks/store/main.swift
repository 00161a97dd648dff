// The writer's cost per lead, without HTTP: leads submitted through `Store.submitLead` by
// concurrent tasks (as request handlers do), against the same SQL run straight through SQLite's
// C API in transactions of 512 (the floor: what SQLite itself costs for this schema).
//
//   swift run -c release --scratch-path .build-release store-benchmark [LEADS] [RUNS] [TASKS]
//
// Prints per run and the medians: leads/s and process CPU µs per lead, and the ratio of the two.
// `store-benchmark dialling …` measures the dialling side instead (see Dialling.swift).
import CSQLite
import DiallerStore
import Foundation

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let leadCount = arguments.count > 0 ? arguments[0] : 50_000
let runs = arguments.count > 1 ? arguments[1] : 5
let tasks = arguments.count > 2 ? arguments[2] : 64
let migrations = FileManager.default.currentDirectoryPath + "/Migrations"
if CommandLine.arguments.dropFirst().first == "dialling" {
    try await runDiallingBenchmark(arguments, migrations: migrations)
    exit(0)
}

/// A lead shaped like the HTTP benchmark's, with a distinct mobile.
func lead(_ n: Int) -> NewLead {
    let mobile = "+4471" + String(10_000_000 + n).suffix(8)
    let body = #"{"first_name":"Bench","surname":"Lead","mobile":"07\#(mobile.dropFirst(4))","email":"lead\#(n)@example.com","type":"motor-trade"}"#
    return NewLead(
        type: "motor-trade", firstName: "Bench", surname: "Lead", email: "lead\(n)@example.com",
        mobile: mobile, rawRequest: body)
}

/// User plus system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// A fresh temporary directory, removed afterwards.
func inTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-bench-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// One measurement: leads per second (wall clock) and CPU µs per lead.
struct Figures {
    var leadsPerSecond: Double
    var cpuMicroseconds: Double
}

/// `leadCount` leads through the store by `tasks` concurrent submitters.
func measureStore(_ leads: [NewLead]) async throws -> Figures {
    try await inTemporaryDirectory { directory in
        let store = try Store(StoreConfiguration(path: directory + "/bench.sqlite", migrationsDirectory: migrations))
        defer { store.close() }
        try await store.writer.write { try $0.execute(script: "INSERT INTO lead_types(name) VALUES ('motor-trade')") }
        let key = try await store.createKey(role: .partner, name: "bench").key
        guard let partner = try store.authenticate(key: key) else { fatalError("the new key does not authenticate") }
        let started = Date()
        let cpu = cpuSeconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in stride(from: task, to: leads.count, by: tasks) {
                        let saved = try await store.submitLead(leads[index], from: partner)
                        precondition(saved.outcome == .processed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Date().timeIntervalSince(started)
        return Figures(leadsPerSecond: Double(leads.count) / seconds, cpuMicroseconds: (cpuSeconds() - cpu) * 1e6 / Double(leads.count))
    }
}

/// The same statements through the C API, prepared once, 512 leads per transaction, one thread.
func measureRawSQLite(_ leads: [NewLead]) async throws -> Figures {
    try await inTemporaryDirectory { directory in
        let path = directory + "/raw.sqlite"
        do {  // The schema and a partner key, as the store would make them.
            let store = try Store(StoreConfiguration(path: path, migrationsDirectory: migrations))
            try await store.writer.write { try $0.execute(script: "INSERT INTO lead_types(name) VALUES ('motor-trade')") }
            _ = try await store.createKey(role: .partner, name: "bench")
            store.close()
        }
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else { fatalError("open") }
        defer { sqlite3_close_v2(db) }
        sqlite3_exec(
            db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=4000",
            nil, nil, nil)
        func prepare(_ sql: String) -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
                fatalError(String(cString: sqlite3_errmsg(db)))
            }
            return statement
        }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let findContact = prepare("SELECT contact_id FROM contacts WHERE mobile = ?")
        let insertContact = prepare("INSERT INTO contacts(mobile, created_at) VALUES (?, ?)")
        let findType = prepare(
            "SELECT lead_type_id, name, call_group, active, dedupe_days, default_delay, window_start, window_end, window_days, time_zone FROM lead_types WHERE name = ?"
        )
        let dedupe = prepare(
            """
            SELECT coalesce(max(state = 'waiting' OR state = 'queued' OR state = 'dialling'), 0), coalesce(max(state = 'done' AND (?3 IS NULL OR finished_at >= ?3)), 0)
            FROM calls WHERE contact_id = ?1 AND lead_type_id = ?2 AND state <> 'cancelled'
            """)
        let insertLead = prepare(
            """
            INSERT INTO leads(received_at, partner_id, key_id, type, lead_type_id, subtype, first_name, surname,
                              email, contact_id, other_phone, data, delays, outcome, raw_request)
            VALUES (?, 1, 1, ?, ?, NULL, ?, ?, ?, ?, NULL, NULL, NULL, 'processed', ?)
            """)
        // Due at once, so queued in the lead's own transaction, as the store does.
        let insertCall = prepare(
            "INSERT INTO calls(lead_id, contact_id, lead_type_id, call_group, due_at, created_at, state, queued_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)"
        )
        let enqueue = prepare(
            """
            INSERT INTO call_queue(call_id, call_group, due_at, queued_at, lead_type_id, priority, first_attempt, sort_key)
            SELECT k.call_id, k.call_group, k.due_at, ?2, k.lead_type_id, t.priority, k.attempts = 0,
                   CASE WHEN k.attempts = 0 AND t.fresh_order = 'newest' THEN -1 ELSE 1 END
                   * (CAST(strftime('%s', k.due_at) AS INTEGER) * 1000 + CAST(substr(k.due_at, 21, 3) AS INTEGER))
            FROM calls k JOIN lead_types t ON t.lead_type_id = k.lead_type_id
            WHERE k.call_id = ?1
            """)
        func step(_ statement: OpaquePointer) -> Int64 {
            var value: Int64 = 0
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_ROW {
                    value = sqlite3_column_int64(statement, 0)
                    continue
                }
                guard code == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
                break
            }
            sqlite3_reset(statement)
            return value
        }
        let started = Date()
        let cpu = cpuSeconds()
        for batch in stride(from: 0, to: leads.count, by: 512) {
            sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil)
            for lead in leads[batch..<min(batch + 512, leads.count)] {
                let now = Timestamp(Date()).iso8601
                sqlite3_bind_text(findContact, 1, lead.mobile, -1, transient)
                var contact = step(findContact)
                if contact == 0 {
                    sqlite3_bind_text(insertContact, 1, lead.mobile, -1, transient)
                    sqlite3_bind_text(insertContact, 2, now, -1, transient)
                    _ = step(insertContact)
                    contact = sqlite3_last_insert_rowid(db)
                }
                sqlite3_bind_text(findType, 1, lead.type, -1, transient)
                let type = step(findType)
                sqlite3_bind_int64(dedupe, 1, contact)
                sqlite3_bind_int64(dedupe, 2, type)
                sqlite3_bind_text(dedupe, 3, now, -1, transient)
                _ = step(dedupe)
                sqlite3_bind_text(insertLead, 1, now, -1, transient)
                sqlite3_bind_text(insertLead, 2, lead.type, -1, transient)
                sqlite3_bind_int64(insertLead, 3, type)
                sqlite3_bind_text(insertLead, 4, lead.firstName, -1, transient)
                sqlite3_bind_text(insertLead, 5, lead.surname, -1, transient)
                sqlite3_bind_text(insertLead, 6, lead.email, -1, transient)
                sqlite3_bind_int64(insertLead, 7, contact)
                sqlite3_bind_text(insertLead, 8, lead.rawRequest, -1, transient)
                _ = step(insertLead)
                sqlite3_bind_int64(insertCall, 1, sqlite3_last_insert_rowid(db))
                sqlite3_bind_int64(insertCall, 2, contact)
                sqlite3_bind_int64(insertCall, 3, type)
                sqlite3_bind_text(insertCall, 4, lead.type, -1, transient)
                sqlite3_bind_text(insertCall, 5, now, -1, transient)
                sqlite3_bind_text(insertCall, 6, now, -1, transient)
                sqlite3_bind_text(insertCall, 7, now, -1, transient)
                _ = step(insertCall)
                sqlite3_bind_int64(enqueue, 1, sqlite3_last_insert_rowid(db))
                sqlite3_bind_text(enqueue, 2, now, -1, transient)
                _ = step(enqueue)
            }
            guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else { fatalError(String(cString: sqlite3_errmsg(db))) }
        }
        let seconds = Date().timeIntervalSince(started)
        for statement in [findContact, insertContact, findType, dedupe, insertLead, insertCall, enqueue] { sqlite3_finalize(statement) }
        return Figures(leadsPerSecond: Double(leads.count) / seconds, cpuMicroseconds: (cpuSeconds() - cpu) * 1e6 / Double(leads.count))
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let leads = (0..<leadCount).map(lead)
print("store benchmark: \(leadCount) leads a run, \(runs) runs, \(tasks) concurrent submitters; SQLite \(String(cString: sqlite3_libversion()))")
var store: [Figures] = []
var raw: [Figures] = []
for run in 1...runs {
    // Alternate the two so that the machine's slow spells hit both alike.
    raw.append(try await measureRawSQLite(leads))
    store.append(try await measureStore(leads))
    print(
        String(
            format: "  run %d: store %7.0f leads/s %6.1f µs CPU/lead   raw SQLite %7.0f leads/s %6.1f µs CPU/lead",
            run, store[run - 1].leadsPerSecond, store[run - 1].cpuMicroseconds, raw[run - 1].leadsPerSecond, raw[run - 1].cpuMicroseconds))
}
let storeCPU = median(store.map(\.cpuMicroseconds))
let rawCPU = median(raw.map(\.cpuMicroseconds))
print(
    String(
        format: "median: store %.0f leads/s, %.1f µs CPU/lead; raw SQLite %.0f leads/s, %.1f µs CPU/lead; store ÷ raw CPU = %.2f",
        median(store.map(\.leadsPerSecond)), storeCPU, median(raw.map(\.leadsPerSecond)), rawCPU, storeCPU / rawCPU))
