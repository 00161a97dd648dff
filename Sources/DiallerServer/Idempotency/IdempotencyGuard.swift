import DiallerStore
import Hummingbird

/// What a request with an Idempotency-Key meets before its work: `409` while the key's first
/// request is in progress, the recorded answer for a repeat, `422` for the key reused with another body.
struct IdempotencyGuard: Sendable {
    let store: Store
    let inProgress: KeysInProgress

    static let inProgressBody = #"{"error":"A request with this Idempotency-Key is in progress"}"#
    static let reusedBody = #"{"error":"Idempotency-Key reused with a different request"}"#

    /// Runs `work` with the key claimed, unless the key's record or another request answers first.
    /// `work` records its answer through the claim, in the writer job that saves its leads.
    func once(
        partner: Principal, key: String, body: [UInt8], leadIDHeader: Bool,
        _ work: (IdempotencyClaim) async throws -> Response
    ) async throws -> Response {
        guard let partnerID = partner.partnerID else { throw StoreError.notAPartnerKey }
        guard inProgress.begin(partnerID: partnerID, key: key) else {
            throw APIError.response(status: .conflict, body: Self.inProgressBody)
        }
        defer { inProgress.end(partnerID: partnerID, key: key) }
        let claim = IdempotencyClaim(partnerID: partnerID, key: key, requestBody: body)
        if let record = try await store.idempotencyRecord(partnerID: partnerID, key: key) {
            guard record.requestSHA256 == claim.requestSHA256 else {
                throw APIError.response(status: .unprocessableContent, body: Self.reusedBody)
            }
            var response = Self.response(record.response, leadIDHeader: leadIDHeader)
            response.headers[.idempotentReplayed] = "true"
            return response
        }
        do {
            return try await work(claim)
        } catch is IdempotencyKeyTaken {
            throw APIError.response(status: .conflict, body: Self.inProgressBody)
        }
    }

    /// A recorded answer as HTTP; `/lead/add`'s carries its one lead's `X-Lead-Id`.
    static func response(_ recorded: RecordedResponse, leadIDHeader: Bool) -> Response {
        var headers = HTTPFields()
        if leadIDHeader, let id = recorded.leadIDs.first { headers[.xLeadID] = String(id) }
        return APIResponse.json(HTTPResponse.Status(code: recorded.status), recorded.body, headers: headers)
    }
}
