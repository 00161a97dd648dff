import DiallerStore
import Foundation
import Testing

@testable import DiallerServer
@testable import LeadIntake

/// `consent` and line types through the real server: each failing part of the object answered in
/// the contract's shape, a type's consent rule as a `400` that saves nothing, and the line type's
/// answer for a number the type does not accept.
@Suite struct ConsentAPITests {
    static let consent =
        #"{"given_at":"2026-11-24T18:00:00Z","source":"https://quotes.example/van","wording":"Yes, call me","ip":"203.0.113.9","certificate":"https://cert.trustedform.com/abc123"}"#

    @Test func aConsentObjectOrStringIsStoredWithTheLead() async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(try await server.post("/lead/add", leadBody(extra: #","consent":\#(Self.consent)"#)).body == #"{"saved":true,"processed":true}"#)
            let asString = JSONWriter.quoted(Self.consent)
            #expect(
                try await server.post("/lead/add", leadBody(mobile: "07911 100001", extra: #","consent":\#(asString)"#)).body
                    == #"{"saved":true,"processed":true}"#)
            #expect(
                try await server.post("/lead/add", leadBody(mobile: "07911 100002", extra: #","consent":"""#)).body
                    == #"{"saved":true,"processed":true}"#)
            #expect(
                try await server.scalar(
                    """
                    SELECT group_concat(coalesce(consent_given_at, '-') || ' ' || coalesce(consent_source, '-') || ' ' || coalesce(consent_certificate_held, '-'), ', ')
                    FROM leads_report
                    """) == "2026-11-24T18:00:00Z https://quotes.example/van 1, 2026-11-24T18:00:00Z https://quotes.example/van 1, - - -")
            #expect(try await server.scalar("SELECT count(*) FROM consents WHERE wording = 'Yes, call me' AND ip = '203.0.113.9'") == "2")
        }
    }

    @Test(arguments: [
        (#"[1]"#, ["Consent must be an object."]),
        (#""not json""#, ["Consent must be an object."]),
        (#"{}"#, ["Consent given_at cannot be blank.", "Consent source cannot be blank."]),
        (#"{"given_at":"2026-11-24 18:00:00","source":"web"}"#, ["Consent given_at must be a UTC time."]),
        (#"{"given_at":"2026-11-24T18:00:00+01:00","source":"web"}"#, ["Consent given_at must be a UTC time."]),
        (#"{"given_at":"2026-02-30T18:00:00Z","source":"web"}"#, ["Consent given_at must be a UTC time."]),
        (#"{"given_at":"2026-11-25T10:05:01Z","source":"web"}"#, ["Consent given_at cannot be in the future."]),
        (#"{"given_at":"2026-11-24T18:00:00Z","source":5}"#, ["Consent source must be a string."]),
        (#"{"given_at":"2026-11-24T18:00:00Z","source":"web","ip":"300.1.1.1"}"#, ["Consent ip is not a valid IP address."]),
        (
            #"{"given_at":"2026-11-24T18:00:00Z","source":"web","certificate":"\#(String(repeating: "x", count: 501))"}"#,
            ["Consent certificate should contain at most 500 characters."]
        ),
    ])
    func eachFailingPartAnswersInTheContractsShapeAndSavesNothing(consent: String, messages: [String]) async throws {
        try await withServer { (server: TestServer) async throws in
            let reply = try await server.post("/lead/add", leadBody(mobile: "123", extra: #","consent":\#(consent)"#))
            #expect(reply.status == .badRequest)
            var expected = ValidationErrors()
            expected.add("mobile", "Mobile is not a valid phone number.")
            for message in messages { expected.add("consent", message) }
            #expect(reply.body == expected.json)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
        }
    }

    @Test func utcTimesAreReadInTheirUsualSpellings() {
        #expect(FieldReader.utcTime("2026-11-24T18:00:00Z") == Timestamp(iso8601: "2026-11-24T18:00:00.000Z"))
        #expect(FieldReader.utcTime("2026-11-24T18:00:00.1234Z") == Timestamp(iso8601: "2026-11-24T18:00:00.123Z"))
        #expect(FieldReader.utcTime("2026-11-24T18:00:00.5+00:00") == Timestamp(iso8601: "2026-11-24T18:00:00.500Z"))
        for wrong in ["2026-11-24T18:00:00", "2026-11-24", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T18:00:00.Z", "x"] {
            #expect(FieldReader.utcTime(wrong) == nil, "\(wrong)")
        }
    }

    @Test func aTypeRequiringConsentAnswersA400AndSavesNothing() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("UPDATE lead_types SET requires_consent = 1, consent_max_age_days = 180 WHERE name = 'motor-trade'")
            let missing = try await server.post("/lead/add", leadBody())
            #expect(missing.status == .badRequest && missing.body == #"{"consent":{"0":"Consent cannot be blank."}}"#)
            let old = #"{"given_at":"2026-05-29T09:59:59Z","source":"web"}"#
            let tooOld = try await server.post("/lead/add", leadBody(extra: #","consent":\#(old)"#))
            #expect(tooOld.status == .badRequest && tooOld.body == #"{"consent":{"0":"Consent is older than 180 days."}}"#)
            let keyed = try await server.request(.post, "/lead/add?key=\(server.partnerKey)", body: leadBody(), headers: [.idempotencyKey: "k-1"])
            #expect(keyed.status == .badRequest && keyed.body == #"{"consent":{"0":"Consent cannot be blank."}}"#)
            #expect(
                try await server.scalar(
                    "SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM contacts) + (SELECT count(*) FROM idempotency_keys)") == "0")
            // The same key with consent now is a new request: the 400 was not recorded.
            let fixed = try await server.request(
                .post, "/lead/add?key=\(server.partnerKey)", body: leadBody(extra: #","consent":\#(Self.consent)"#),
                headers: [.idempotencyKey: "k-2"])
            #expect(fixed.body == #"{"saved":true,"processed":true}"#)
            // In a batch, only that lead is refused.
            let batch = try await server.post(
                "/lead/batch", "[\(leadBody(mobile: "07911100001")),\(leadBody(mobile: "07911100002", extra: #","consent":\#(Self.consent)"#))]")
            #expect(
                batch.body
                    == #"{"results":[{"index":0,"status":400,"body":{"consent":{"0":"Consent cannot be blank."}}},{"index":1,"status":200,"lead_id":2,"body":{"saved":true,"processed":true}}]}"#
            )
        }
    }

    @Test func aNumberOfALineTypeTheTypeRefusesIsSavedNotProcessed() async throws {
        try await withServer { (server: TestServer) async throws in
            try await server.exec("UPDATE lead_types SET line_types = 'mobile' WHERE name = 'motor-trade'")
            let answers = [
                try await server.post("/lead/add", leadBody(mobile: "070 4012 3456")).body,  // a personal number
                try await server.post("/lead/add", leadBody(mobile: "09098 790000")).body,  // premium rate
                try await server.post("/lead/add", leadBody(mobile: "020 7946 0123")).body,  // a London landline
                try await server.post("/lead/add", leadBody(mobile: "07911 100001")).body,
                try await server.post("/lead/add", leadBody(mobile: "09098 790000", type: "van-insurance")).body,
            ]
            let refused = #"{"saved":true,"processed":false,"error":"Line Type Not Accepted"}"#
            #expect(answers == [refused, refused, refused, #"{"saved":true,"processed":true}"#, #"{"saved":true,"processed":true}"#])
            #expect(
                try await server.scalar("SELECT group_concat(line_type || ' ' || outcome, ', ') FROM leads_report") == """
                    personal_number line_type_not_accepted, premium_rate line_type_not_accepted, fixed_line line_type_not_accepted, \
                    mobile processed, premium_rate processed
                    """)
            let other = try await server.post("/lead/add", leadBody(mobile: "07911 100002", extra: #","other_phone":"0800 123 4567""#))
            #expect(other.body == #"{"saved":true,"processed":true}"#)
            #expect(try await server.scalar("SELECT other_phone_line_type FROM leads_report WHERE lead_id = 6") == "toll_free")
        }
    }
}
