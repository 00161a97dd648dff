import DiallerStore
import Foundation
import Hummingbird
import LeadIntake

/// `POST /lead/batch`: up to a thousand leads as a JSON array or a CSV file, each decided as
/// `/lead/add` would decide it, in order, and every saved lead committed in one writer job.
struct LeadBatchRoutes: RouteGroup {
    let shared: RouteDependencies
    let maxBodyBytes: Int

    func register(on router: Router<DiallerContext>) {
        router.post("/lead/batch") { request, context in try await batch(request, context) }
    }

    func batch(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let partner = try await authenticator.require(.partner, request, context)
        let key = try IdempotencyKeyHeader.key(of: request)
        let bytes = try await request.collectBody(limit: maxBodyBytes)
        let isCSV = request.headers.value(of: .contentType).map(Self.isCSV) ?? false
        guard let key else { return try await decide(bytes, isCSV: isCSV, partner: partner, claim: nil) }
        return try await idempotency.once(partner: partner, key: key, body: bytes, leadIDHeader: false) { claim in
            try await decide(bytes, isCSV: isCSV, partner: partner, claim: claim)
        }
    }

    private func decide(_ bytes: [UInt8], isCSV: Bool, partner: Principal, claim: IdempotencyClaim?) async throws -> Response {
        let objects = isCSV ? try LeadCSV.objects(bytes) : try Self.jsonObjects(bytes)
        guard !objects.isEmpty else { throw APIError.malformedBody("The batch has no leads.") }
        guard objects.count <= LeadBatch.maxItems else {
            throw APIError.malformedBody("The batch has more than \(LeadBatch.maxItems) leads; send at most \(LeadBatch.maxItems) at once.")
        }
        let batch = LeadBatch(objects: objects, numbers: numbers, now: store.clock.now()) { errors in
            metrics.validationFailed(fields: errors.fields.map(\.name))
        }
        let leads = batch.leads
        let saved: [LeadSubmission]
        let body: String
        if let claim {
            let result = try await store.submitLeads(leads, from: partner, recording: claim) { saved in
                RecordedResponse(status: 200, body: batch.resultsJSON(saved: saved), leadIDs: saved.compactMap { try? $0.get().leadID })
            }
            (saved, body) = (result.saved, result.response.body)
        } else {
            saved = leads.isEmpty ? [] : try await store.submitLeads(leads, from: partner)
            body = batch.resultsJSON(saved: saved)
        }
        for (lead, submission) in zip(leads, saved) {
            guard case .success(let result) = submission else {
                metrics.validationFailed(fields: ["consent"])
                continue
            }
            let knownType = result.outcome == .unknownType ? "unknown" : lead.type
            metrics.leadReceived(partner: partner.name, type: knownType, outcome: result.outcome.rawValue)
            if let list = result.suppressedBy { metrics.leadSuppressed(list: list) }
        }
        return APIResponse.ok(body)
    }

    /// A JSON array's items, each an object or nil; a located 400 when the body is not an array.
    static func jsonObjects(_ bytes: [UInt8]) throws -> [(object: JSONObject?, raw: String)] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw APIError.malformedBody(error.description)
        }
        guard case .array(let elements) = value else {
            throw APIError.malformedBody("The body must be a JSON array of leads (or CSV, sent as text/csv).")
        }
        return elements.map { element in
            guard case .object(let object) = element else { return (nil, "") }
            return (object, JSONWriter.compact(element))
        }
    }

    /// `text/csv`, with or without parameters such as `; charset=utf-8`.
    static func isCSV(_ contentType: String) -> Bool {
        contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "text/csv"
    }
}
