import DiallerStore
import Foundation
import Logging
import Testing

/// A person's erasure and the retention limit: no trace of their personal data in the database
/// file or its write-ahead log, the views still answer, and a suppressed number stays refused.
@Suite struct ErasureTests {
    static let logger = Logger(label: "test")

    static func lead(_ mobile: String, type: String = "motor-trade", delays: Int? = nil) -> NewLead {
        NewLead(
            type: type, subtype: "valeter", firstName: "Zebedee", surname: "Quartermaine", email: "zebedee.q@example.org",
            mobile: mobile, mobileLineType: .mobile, otherPhone: "+447911100999", otherPhoneLineType: .mobile,
            data: #"{"vehicle":"Aston"}"#, delays: delays,
            rawRequest: #"{"first_name":"Zebedee","surname":"Quartermaine","mobile":"07840258823"}"#, consent: consent)
    }

    /// Consent evidence whose every personal part is a string found nowhere else.
    static let consent = NewConsent(
        givenAt: Timestamp(iso8601: "2026-11-20T09:30:00.000Z")!,
        source: "https://quotes.example/form-zq7781", wording: "I, Zebedee, agree to calls about vans",
        ip: "198.51.100.173", certificate: "https://cert.trustedform.com/5f3c0ffee8zq")
    static let consentNeedles = ["quotes.example/form-zq7781", "agree to calls about vans", "198.51.100.173", "5f3c0ffee8zq"]

    /// Whether any of `needles` occurs in the database file or its WAL, byte for byte.
    static func traces(of needles: [String], in path: String) throws -> [String] {
        var found: [String] = []
        for file in [path, path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for needle in needles where data.range(of: Data(needle.utf8)) != nil { found.append("\(needle) in \(file)") }
        }
        return found
    }

    @Test func erasingANumberLeavesNoTraceButKeepsItSuppressed() async throws {
        try await withTemporaryDirectory { directory in
            var configuration = StoreConfiguration(path: directory + "/erase.sqlite", migrationsDirectory: migrationsDirectory)
            configuration.maxBatch = 1
            let clock = ManualClock(iso8601: "2026-11-25T10:00:00.000Z")
            let store = try Store(configuration, clock: clock)
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade'), ('van'), ('home')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let needles = ["Zebedee", "Quartermaine", "zebedee.q@example.org", "+447840258823", "+447911100999", "Aston"] + Self.consentNeedles
            // A lead in every state: dialled to the end, waiting, queued, and one not processed.
            let done = try #require(try await store.submitLead(Self.lead("+447840258823"), from: partner).callID)
            await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow()
            _ = try await store.claimNextCall(callGroup: nil, by: dialler)
            _ = try await store.recordResult(callID: done, result: CallResult(outcome: "sale"), by: dialler)
            let waiting = try #require(try await store.submitLead(Self.lead("+447840258823", type: "van", delays: 600), from: partner).callID)
            _ = try await store.submitLead(Self.lead("+447840258823", type: "nope"), from: partner)
            _ = try await store.suppress(mobile: "+447840258823", list: "tps", reason: nil)
            _ = try await store.submitLead(Self.lead("+447911100001"), from: partner)  // someone else, untouched
            #expect(!(try Self.traces(of: needles, in: configuration.path)).isEmpty)

            let report = try await store.erase(mobile: "+447840258823")
            #expect(report.contactFound && report.leadsErased == 3 && report.callsCancelled == 0)
            #expect(report.suppressionListsKept == ["tps"] && report.suppressionsRemoved == 0)
            #expect(try await store.scalar("SELECT state || ' ' || outcome FROM calls WHERE call_id = \(waiting)") == "cancelled suppressed")
            #expect(
                try await store.scalar("SELECT group_concat(mobile || ' ' || email || ' ' || first_name, ', ') FROM leads_report")
                    == "erased erased erased, erased erased erased, erased erased erased, +447911100001 zebedee.q@example.org Zebedee")
            #expect(try await store.scalar("SELECT group_concat(DISTINCT mobile) FROM calls_report WHERE lead_id < 4") == "erased")
            // The consent's evidence goes; when it was given stays, as the outcome does.
            #expect(
                try await store.scalar(
                    """
                    SELECT group_concat(consent_given_at || ' ' || consent_source || ' ' || consent_certificate_held, ', ') FROM leads_report WHERE lead_id < 4
                    """) == "2026-11-20T09:30:00Z erased 0, 2026-11-20T09:30:00Z erased 0, 2026-11-20T09:30:00Z erased 0")
            #expect(try await store.scalar("SELECT mobile FROM call_attempts_report") == "erased")
            #expect(try await store.scalar("PRAGMA foreign_key_check") == nil)
            // A later lead for the number is still Do Not Call, on a new contact with no link.
            let later = try await store.submitLead(Self.lead("+447840258823"), from: partner)
            #expect(later.outcome == .suppressed)
            #expect(try await store.scalar("SELECT count(*) FROM contacts WHERE erased_at IS NULL AND mobile = '+447840258823'") == "1")
            // The other person's lead and the later one hold the same name: erase them too before the byte search.
            _ = try await store.erase(mobile: "+447911100001")
            _ = try await store.erase(mobile: "+447840258823")
            store.close()
            // Only the suppression list may keep the number: its row and its index entry.
            let connection = try Connection(path: configuration.path)
            try connection.execute(script: "DELETE FROM suppressions; PRAGMA wal_checkpoint(TRUNCATE);")
            #expect(try Self.traces(of: needles, in: configuration.path) == [])
        }
    }

    @Test func erasingWithoutKeepingTheSuppressionLetsTheNumberBeCalledAgain() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            _ = try await store.submitLead(Self.lead("+447840258823"), from: partner)
            _ = try await store.suppress(mobile: "+447840258823", reason: nil)
            let report = try await store.erase(mobile: "+447840258823", keepSuppression: false)
            #expect(report.suppressionsRemoved == 1 && report.suppressionListsKept.isEmpty)
            #expect(try await store.scalar("SELECT numbers FROM suppression_lists_report WHERE list = 'internal'") == "0")
            #expect(try await store.submitLead(Self.lead("+447840258823"), from: partner).outcome == .processed)
            #expect(try await store.erase(mobile: "+447911100001").contactFound == false)
        }
    }

    @Test func retentionErasesExactlyTheOldFinishedLeadsInChunks() async throws {
        try await withTemporaryStore(configure: {
            $0.retentionDays = 30
            $0.retentionWindow = 3
        }) { store, clock in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade'), ('van')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let worker = HousekeepingWorker(store: store, interval: 3600, logger: Self.logger)
            // Old: a finished call, an unprocessed lead, an open (waiting) call, and a second number's lead.
            let finished = try #require(try await store.submitLead(Self.lead("+447840258823"), from: partner).callID)
            await worker.promoteNow()
            _ = try await store.claimNextCall(callGroup: nil, by: dialler)
            _ = try await store.recordResult(callID: finished, result: CallResult(outcome: "sale"), by: dialler)
            _ = try await store.submitLead(Self.lead("+447840258823", type: "nope"), from: partner)
            _ = try await store.submitLead(Self.lead("+447911100001", type: "van", delays: 31_536_000), from: partner)
            _ = try await store.submitLead(Self.lead("+447911100002", type: "nope"), from: partner)
            clock.advance(seconds: 31 * 86_400)
            _ = try await store.submitLead(Self.lead("+447911100003"), from: partner)  // recent
            // Retention runs in chunks on the writer's queue while intake goes on beside it.
            let (report, intake) = try await (
                worker.retainNow(),
                withThrowingTaskGroup(of: LeadOutcome.self) { group in
                    for n in 0..<40 {
                        group.addTask { try await store.submitLead(Self.lead("+4479111002\(String(format: "%02d", n))"), from: partner).outcome }
                    }
                    return try await group.reduce(into: [LeadOutcome]()) { $0.append($1) }
                }
            )
            #expect(intake.count == 40 && intake.allSatisfy { $0 == .processed })
            #expect(report == RetentionReport(leadsErased: 3, contactsErased: 2))
            #expect(
                try await store.scalar(
                    "SELECT group_concat(lead_id || ':' || mobile || ':' || first_name || ':' || outcome, ' ') FROM leads_report WHERE lead_id <= 5 ORDER BY lead_id"
                )
                    == "1:erased:erased:processed 2:erased:erased:unknown_type 3:+447911100001:Zebedee:processed 4:erased:erased:unknown_type 5:+447911100003:Zebedee:processed"
            )
            // The aggregate counts survive: outcome, partner, type and day of every lead.
            #expect(
                try await store.scalar("SELECT count(*) || ' ' || count(DISTINCT partner) FROM leads_report WHERE received_at < '2026-11-26'")
                    == "4 1")
            #expect(try await store.scalar("SELECT count(*) FROM leads_report WHERE first_name = 'Zebedee'") == "42")
            #expect(
                try await store.scalar(
                    """
                    SELECT group_concat(lead_id || ':' || consent_source || ':' || (ip IS NULL), ' ') FROM leads_report JOIN consents USING (lead_id) WHERE lead_id <= 5 ORDER BY lead_id
                    """) == "1:erased:1 2:erased:1 3:https://quotes.example/form-zq7781:0 4:erased:1 5:https://quotes.example/form-zq7781:0")
            #expect(try await store.scalar("SELECT count(*) FROM call_attempts_report") == "1")
            #expect(await worker.retainNow() == RetentionReport())
        }
    }
}
