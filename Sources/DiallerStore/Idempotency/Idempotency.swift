import Crypto

/// A request's claim on an Idempotency-Key: the partner's key and the SHA-256 of the request's bytes.
public struct IdempotencyClaim: Sendable, Equatable {
    public let partnerID: Int64
    public let key: String
    /// Lower-case hex of the SHA-256 of the request body, exactly as received.
    public let requestSHA256: String

    public init(partnerID: Int64, key: String, requestBody: [UInt8]) {
        self.partnerID = partnerID
        self.key = key
        self.requestSHA256 = SHA256.hash(data: requestBody).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// The answer kept for a key and replayed, byte for byte, to a repeat of its request.
public struct RecordedResponse: Sendable, Equatable {
    public let status: Int
    public let body: String
    /// The saved leads' ids, in the order the request gave them.
    public let leadIDs: [Int64]

    public init(status: Int, body: String, leadIDs: [Int64]) {
        self.status = status
        self.body = body
        self.leadIDs = leadIDs
    }
}

/// An unexpired record of a key: the fingerprint of the request that made it, and its answer.
public struct IdempotencyRecord: Sendable, Equatable {
    public let requestSHA256: String
    public let response: RecordedResponse
}

/// The key already has an unexpired record (written by another process since this one looked):
/// the job that tried to record it saved nothing.
public struct IdempotencyKeyTaken: Error, Sendable, Equatable {}
