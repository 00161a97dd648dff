import DiallerStore
import Logging
import Testing

/// Consent beside the lead and the mobile's line type: what a type requires, what a list marked
/// `consent_overrides` lets through, and what the views show of it.
@Suite struct ConsentTests {
    static let logger = Logger(label: "test")

    static func consent(_ givenAt: String = "2026-11-24T18:00:00.000Z", certificate: String? = "https://cert.trustedform.com/abc123") -> NewConsent {
        NewConsent(
            givenAt: Timestamp(iso8601: givenAt)!, source: "https://quotes.example/van", wording: "Yes, call me about van insurance",
            ip: "203.0.113.9", certificate: certificate)
    }

    static func lead(
        _ mobile: String = "+447840258823", type: String = "motor-trade", lineType: LineType = .mobile,
        consent: NewConsent? = nil
    ) -> NewLead {
        NewLead(
            type: type, firstName: "John", surname: "Doe", email: "john.doe@example.com", mobile: mobile,
            mobileLineType: lineType, rawRequest: "{}", consent: consent)
    }

    @Test func aTypeRequiringConsentRefusesALeadWithoutItOrWithOldConsentAndSavesNothing() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec(
                """
                INSERT INTO lead_types(name, requires_consent) VALUES ('motor-trade', 1);
                INSERT INTO lead_types(name, requires_consent, consent_max_age_days) VALUES ('home', 1, 30);
                INSERT INTO lead_types(name) VALUES ('van');
                """)
            let partner = try await store.partner("acme")
            await #expect(throws: ConsentRefusal.missing) { try await store.submitLead(Self.lead(), from: partner) }
            // The clock is 2026-11-25T10:00Z: 180 days back is 2026-05-29T10:00Z.
            await #expect(throws: ConsentRefusal.tooOld(maxAgeDays: 180)) {
                try await store.submitLead(Self.lead(consent: Self.consent("2026-05-29T09:59:59.999Z")), from: partner)
            }
            await #expect(throws: ConsentRefusal.tooOld(maxAgeDays: 30)) {
                try await store.submitLead(Self.lead(type: "home", consent: Self.consent("2026-10-26T09:59:00.000Z")), from: partner)
            }
            #expect(
                try await store.scalar("SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM contacts) + (SELECT count(*) FROM consents)")
                    == "0")
            // At the limit, and for a type that does not require it, the lead is saved.
            #expect(try await store.submitLead(Self.lead(consent: Self.consent("2026-05-29T10:00:00.000Z")), from: partner).outcome == .processed)
            #expect(try await store.submitLead(Self.lead(type: "van"), from: partner).outcome == .processed)
            // A type this partner cannot see says nothing of its consent rule: Unknown Type, saved.
            let limited = try await store.partner("limited", types: ["van"])
            #expect(try await store.submitLead(Self.lead("+447911100001", type: "home"), from: limited).outcome == .unknownType)
        }
    }

    @Test func aBatchSavesEveryLeadButTheOneRefusedForItsConsent() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name, requires_consent) VALUES ('motor-trade', 1)")
            let partner = try await store.partner("acme")
            let results = try await store.submitLeads(
                [
                    Self.lead("+447911100001", consent: Self.consent()), Self.lead("+447911100002"),
                    Self.lead("+447911100003", consent: Self.consent()),
                ], from: partner)
            #expect(results.map { (try? $0.get())?.outcome } == [.processed, nil, .processed])
            #expect(results[1] == .failure(.missing))
            #expect(try await store.scalar("SELECT group_concat(mobile) FROM leads_report") == "+447911100001,+447911100003")
        }
    }

    @Test func theConsentIsKeptBesideTheLeadAndShownInTheReport() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            _ = try await store.submitLead(Self.lead(consent: Self.consent()), from: partner)
            _ = try await store.submitLead(Self.lead("+447911100001", consent: Self.consent(certificate: nil)), from: partner)
            _ = try await store.submitLead(Self.lead("+447911100002"), from: partner)
            #expect(
                try await store.scalar(
                    """
                    SELECT group_concat(lead_id || ' ' || line_type || ' ' || coalesce(consent_given_at, '-') || ' ' || coalesce(consent_source, '-')
                                        || ' ' || coalesce(consent_certificate_held, '-'), ', ') FROM leads_report
                    """)
                    == "1 mobile 2026-11-24T18:00:00Z https://quotes.example/van 1, 2 mobile 2026-11-24T18:00:00Z https://quotes.example/van 0, 3 mobile - - -"
            )
            #expect(
                try await store.scalar("SELECT wording || ' ' || ip || ' ' || certificate FROM consents WHERE lead_id = 1")
                    == "Yes, call me about van insurance 203.0.113.9 https://cert.trustedform.com/abc123")
        }
    }

    @Test func aNumberOfALineTypeTheTypeDoesNotAcceptIsSavedNotProcessed() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec(
                """
                INSERT INTO lead_types(name, line_types) VALUES ('motor-trade', 'mobile, fixed_line_or_mobile');
                INSERT INTO lead_types(name) VALUES ('any');
                """)
            let partner = try await store.partner("acme")
            #expect(try await store.submitLead(Self.lead("+447040123456", lineType: .personalNumber), from: partner).outcome == .lineTypeNotAccepted)
            #expect(try await store.submitLead(Self.lead("+449098790000", lineType: .premiumRate), from: partner).outcome == .lineTypeNotAccepted)
            #expect(try await store.submitLead(Self.lead("+447911100001", lineType: .mobile), from: partner).outcome == .processed)
            #expect(try await store.submitLead(Self.lead("+12127365000", lineType: .fixedLineOrMobile), from: partner).outcome == .processed)
            #expect(try await store.submitLead(Self.lead("+449098790001", type: "any", lineType: .premiumRate), from: partner).outcome == .processed)
            #expect(
                try await store.scalar("SELECT group_concat(outcome || ' ' || line_type || ' ' || coalesce(call_id, '-'), ', ') FROM leads_report")
                    == """
                    line_type_not_accepted personal_number -, line_type_not_accepted premium_rate -, processed mobile 1, \
                    processed fixed_line_or_mobile 2, processed premium_rate 3
                    """)
        }
    }

    @Test func anUnknownLineTypeInAMigrationNamesTheTypeAndTheWord() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try makeMigrationsFolder(
                in: directory,
                [
                    "1000_types.sql": "INSERT INTO lead_types(name, line_types) VALUES ('van', 'mobile,premium');"
                ])
            let configuration = StoreConfiguration(path: directory + "/db.sqlite", migrationsDirectory: folder)
            let known = LineType.allCases.map(\.rawValue).joined(separator: ", ")
            #expect(
                throws: StoreError.migrationRefused(
                    file: "1000_types.sql", reason: #"lead type "van": line_types has "premium", not one of \#(known)"#)
            ) {
                try Store(configuration)
            }
        }
    }

    @Test func consentOverridesOnlyTheListsMarkedSoAndTheViewShowsTheCallsItLetThrough() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            _ = try await store.suppress(mobile: "+447911100001", list: "tps", reason: nil)
            _ = try await store.suppress(mobile: "+447911100001", list: "ctps", reason: nil)
            _ = try await store.suppress(mobile: "+447911100002", list: "tps", reason: nil)
            _ = try await store.suppress(mobile: "+447911100002", list: "internal", reason: "opt-out")
            // Before the lists are marked, consent changes nothing.
            #expect(try await store.submitLead(Self.lead("+447911100001", consent: Self.consent()), from: partner).outcome == .suppressed)
            try await store.setConsentOverrides(list: "tps", true)
            try await store.setConsentOverrides(list: "ctps", true)
            await #expect(throws: SuppressionListRefusal.internalList) { try await store.setConsentOverrides(list: "internal", true) }
            await #expect(throws: SuppressionListRefusal.noSuchList("mps")) { try await store.setConsentOverrides(list: "mps", true) }
            #expect(try await store.suppressionLists().map { "\($0.name) \($0.consentOverrides)" } == ["ctps true", "internal false", "tps true"])

            let without = try await store.submitLead(Self.lead("+447911100001", type: "motor-trade"), from: partner)
            #expect(without.outcome == .suppressed && without.suppressedBy == "ctps")
            let optedOut = try await store.submitLead(Self.lead("+447911100002", consent: Self.consent()), from: partner)
            #expect(optedOut.outcome == .suppressed && optedOut.suppressedBy == "internal")
            let consented = try await store.submitLead(Self.lead("+447911100001", consent: Self.consent()), from: partner)
            #expect(consented.outcome == .processed && consented.consentOverrode == ["ctps", "tps"])

            // A reload of the list spares it, and the dialler gets it: the claim does not cancel it.
            let target = try await store.beginReplacing("tps")
            _ = try await store.importSuppressions(["+447911100001", "+447911100003"], into: target, visible: false, reason: nil)
            #expect(try await store.finishReplacing(target) == 0)
            await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow()
            let claim = try await store.claimNextCall(callGroup: nil, by: dialler)
            #expect(claim.call?.callID == consented.callID && claim.cancelledSuppressed == 0)
            #expect(
                try await store.scalar(
                    """
                    SELECT call_id || ' ' || lead_id || ' ' || lists || ' ' || consent_given_at || ' ' || consent_certificate || ' ' || state
                    FROM consent_calls_report
                    """) == "\(consented.callID!) \(consented.leadID) ctps,tps 2026-11-24T18:00:00Z https://cert.trustedform.com/abc123 dialling")
            #expect(try await store.scalar("SELECT consent_overrode_lists FROM leads_report WHERE lead_id = \(consented.leadID)") == "ctps,tps")
        }
    }

    @Test func aClaimLetsAConsentedCallPastAListMarkedLaterAndRecordsIt() async throws {
        try await withTemporaryStore { store, _ in
            try await store.exec("INSERT INTO lead_types(name) VALUES ('motor-trade')")
            let partner = try await store.partner("acme")
            let dialler = try await store.dialler("floor")
            let consented = try await store.submitLead(Self.lead("+447911100001", consent: Self.consent()), from: partner)
            let plain = try await store.submitLead(Self.lead("+447911100002"), from: partner)
            _ = try await store.suppress(mobile: "+447911100003", list: "tps", reason: nil)
            try await store.setConsentOverrides(list: "tps", true)
            // Added to a list marked consent_overrides: the call without consent is cancelled, the other spared.
            #expect(try await store.suppress(mobile: "+447911100001", list: "tps", reason: nil).cancelledCalls == [])
            #expect(try await store.suppress(mobile: "+447911100002", list: "tps", reason: nil).cancelledCalls == [plain.callID!])
            await HousekeepingWorker(store: store, interval: 3600, logger: Self.logger).promoteNow()
            #expect(try await store.claimNextCall(callGroup: nil, by: dialler).call?.callID == consented.callID)
            #expect(try await store.scalar("SELECT call_id || ' ' || lists FROM consent_calls_report") == "\(consented.callID!) tps")
            // Marked off again, the list stops a consented call at its next claim.
            try await store.setConsentOverrides(list: "tps", false)
            _ = try await store.recordResult(callID: consented.callID!, result: CallResult(outcome: "no_answer", retryAfterSeconds: 0), by: dialler)
            #expect(try await store.scalar("SELECT state || ' ' || outcome FROM calls WHERE call_id = \(consented.callID!)") == "done no_answer")
        }
    }
}
