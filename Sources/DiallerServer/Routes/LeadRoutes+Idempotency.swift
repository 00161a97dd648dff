import DiallerStore
import Hummingbird
import LeadIntake

extension LeadRoutes {
    /// `/lead/add` with an Idempotency-Key: as without one, but the answer is recorded with the
    /// lead in one writer job and replayed to a repeat (see `IdempotencyGuard`). A `400` (a consent
    /// refusal too) and test mode record nothing: a repeat gets the same answer by doing the same checks again.
    func addOnce(_ request: Request, partner: Principal, key: String) async throws -> Response {
        let bytes = try await request.collectBody(limit: maxBodyBytes)
        return try await idempotency.once(partner: partner, key: key, body: bytes, leadIDHeader: true) { claim in
            let object: JSONObject
            do {
                object = try JSONParser.parseObject(bytes)
            } catch let error as JSONSyntaxError {
                throw APIError.malformedBody(error.description)
            }
            guard let lead = try validLead(object, rawBody: bytes) else { return APIResponse.ok(#"{"test":"ok"}"#) }
            let result: (saved: SavedLead, response: RecordedResponse)
            do {
                result = try await store.submitLead(lead, from: partner, recording: claim) { saved in
                    RecordedResponse(status: 200, body: Self.body(for: saved.outcome), leadIDs: [saved.leadID])
                }
            } catch let refusal as ConsentRefusal {
                throw refused(refusal)
            }
            count(result.saved, type: lead.type, partner: partner)
            return IdempotencyGuard.response(result.response, leadIDHeader: true)
        }
    }
}
