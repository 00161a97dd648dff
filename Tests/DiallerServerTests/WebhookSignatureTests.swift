import DiallerStore
import Foundation
import Testing

@testable import DiallerServer

/// Our Standard Webhooks signatures against the specification's published test vector, and
/// against Python's `hmac` computing them from the specification's words.
@Suite struct WebhookSignatureTests {
    /// The vector the Standard Webhooks reference libraries test against.
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = #"{"test": 2432232314}"#
    static let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    @Test func thePublishedTestVectorReproducesExactly() {
        #expect(WebhookSignature.signature(id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: Self.secret) == Self.expected)
        // The prefix is optional, as in the reference libraries.
        #expect(
            WebhookSignature.signature(
                id: Self.id, timestamp: Self.timestamp, body: Self.body,
                secret: String(Self.secret.dropFirst(6))) == Self.expected)
    }

    @Test func theIndependentVerifierAgreesWithTheVectorAndCatchesAWrongSignature() throws {
        #expect(try independentSignature(secret: Self.secret, id: Self.id, timestamp: "1614265330", body: Self.body) == Self.expected)
        // The check the delivery tests rely on does fail when anything signed differs.
        #expect(try independentSignature(secret: Self.secret, id: Self.id, timestamp: "1614265331", body: Self.body) != Self.expected)
        #expect(try independentSignature(secret: Self.secret, id: Self.id, timestamp: "1614265330", body: Self.body + " ") != Self.expected)
    }

    @Test func severalSecretsGiveSpaceSeparatedSignaturesInOrder() throws {
        let other = WebhookSecret.generate()
        let header = WebhookSignature.header(id: Self.id, timestamp: Self.timestamp, body: Self.body, secrets: [other, Self.secret])
        let parts = header.split(separator: " ").map(String.init)
        #expect(parts.count == 2 && parts[1] == Self.expected)
        #expect(parts[0] == (try independentSignature(secret: other, id: Self.id, timestamp: "1614265330", body: Self.body)))
    }

    @Test func secretsAreThirtyTwoRandomBytesInTheWhsecForm() {
        let secrets = (0..<20).map { _ in WebhookSecret.generate() }
        #expect(Set(secrets).count == 20)
        #expect(secrets.allSatisfy { $0.hasPrefix("whsec_") && WebhookSecret.keyBytes(of: $0)?.count == 32 })
    }

    @Test func backoffStartsAtFiveSecondsAndNeverPassesAnHour() {
        let backoff = WebhookBackoff()
        #expect(backoff.delay(afterAttempt: 1, unit: 0) == 5)
        #expect(backoff.delay(afterAttempt: 1, unit: 1) == 7.5)
        #expect(backoff.delay(afterAttempt: 2, unit: 0) == 10)
        #expect(backoff.delay(afterAttempt: 5, unit: 0) == 80)
        #expect(backoff.delay(afterAttempt: 12, unit: 0) == 3_600)
        #expect(backoff.delay(afterAttempt: 1_000, unit: 1) == 3_600)
    }
}

/// The by-hand verifier in `docs/partners.md`, run as printed against the vector and a forgery.
@Suite struct PartnersGuideVerifierTests {
    static let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/partners.md")

    /// The guide's Python block that defines `verify`.
    static func verifier() throws -> String {
        let text = try String(contentsOf: guide, encoding: .utf8)
        let blocks = text.components(separatedBy: "```python\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        return try #require(blocks.first { $0.contains("def verify(") })
    }

    func run(_ program: String) throws -> String {
        try standardOutput(of: "/usr/bin/env", ["python3", "-c", program])
    }

    @Test func theGuidesVerifierAcceptsTheVectorAndRefusesForgeriesAndOldTimestamps() throws {
        let check = { (signature: String, now: Int) in
            """
            \(try Self.verifier())
            time.time = lambda: \(now)
            headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "\(signature)"}
            print(verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, b'{"test": 2432232314}'), end="")
            """
        }
        #expect(try run(check("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 1_614_265_330)) == "True")
        #expect(try run(check("v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 1_614_265_400)) == "True")
        #expect(try run(check("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", 1_614_265_330)) == "False")
        #expect(try run(check("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 1_614_266_000)) == "False")
    }
}
