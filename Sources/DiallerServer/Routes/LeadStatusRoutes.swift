import DiallerStore
import Hummingbird
import LeadIntake

/// `GET /lead/status?lead_id=N` and `POST /lead/status` with `type` and `mobile`: what became of
/// one of the partner's own leads. Anything else (no such lead, another partner's) is `404`.
struct LeadStatusRoutes: RouteGroup {
    let shared: RouteDependencies
    let maxBodyBytes: Int

    func register(on router: Router<DiallerContext>) {
        router.get("/lead/status") { request, context in try await byID(request, context) }
        router.post("/lead/status") { request, context in try await byMobile(request, context) }
    }

    func byID(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let partner = try await authenticator.require(.partner, request, context)
        guard let text = request.uri.query.flatMap({ Request.firstParameter(named: "lead_id", in: $0) }),
            let leadID = Int64(text), leadID > 0,
            let status = try await store.leadStatus(leadID: leadID, partner: partner)
        else { throw Self.notFound }
        return APIResponse.ok(Self.json(status))
    }

    /// The partner's latest lead for the pair, the body validated as `/lead/cancel`'s is.
    func byMobile(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let partner = try await authenticator.require(.partner, request, context)
        let body = try await request.jsonObject(limit: maxBodyBytes)
        let validated: CancelRequest
        switch CancelRequest.validate(body.object, numbers: numbers) {
        case .success(let request): validated = request
        case .failure(let errors):
            metrics.validationFailed(fields: errors.fields.map(\.name))
            throw APIError.invalid(errors)
        }
        guard let status = try await store.latestLeadStatus(type: validated.type, mobile: validated.mobile, partner: partner)
        else { throw Self.notFound }
        return APIResponse.ok(Self.json(status))
    }

    private static var notFound: APIError { .response(status: .notFound, body: APIResponse.notFoundBody) }

    /// `{"lead_id":12,"received_at":"…","type":"…","outcome":"processed","call":{…} or null}`
    static func json(_ status: LeadStatus) -> String {
        func string(_ value: String?) -> String { value.map(JSONWriter.quoted) ?? "null" }
        let call =
            status.call.map { call in
                #"{"call_id":\#(call.callID),"state":\#(string(call.state)),"due_at":\#(string(call.dueAt)),"#
                    + #""attempts":\#(call.attempts),"finished_at":\#(string(call.finishedAt)),"outcome":\#(string(call.outcome)),"#
                    + #""result":\#(string(call.result))}"#
            } ?? "null"
        return #"{"lead_id":\#(status.leadID),"received_at":\#(string(status.receivedAt)),"type":\#(string(status.type)),"#
            + #""outcome":\#(string(status.outcome)),"call":\#(call)}"#
    }
}
