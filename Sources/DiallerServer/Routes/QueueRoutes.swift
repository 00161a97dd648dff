import DiallerStore
import Hummingbird

/// The diallers' side: `POST /queue/next` claims a call, `POST /queue/result` finishes or retries it.
struct QueueRoutes: Sendable {
    let store: Store
    let authenticator: Authenticator
    let metrics: ServiceMetrics
    let maxBodyBytes: Int

    static let maxRetry = 31_536_000

    func register(on router: Router<DiallerContext>) {
        router.post("/queue/next") { request, context in try await next(request, context) }
        router.post("/queue/result") { request, context in try await result(request, context) }
    }

    func next(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let dialler = try await authenticator.require(.dialler, request, context)
        let body = try await request.jsonObject(limit: maxBodyBytes, allowEmpty: true)
        var reader = FieldReader(body.object)
        let callGroup = reader.string("call_group", label: "Call Group", required: false)
        guard reader.errors.isEmpty else { throw APIError.invalid(reader.errors) }
        let report = try await store.claimNextCall(callGroup: callGroup, by: dialler)
        metrics.callsCancelledBySuppression(report.cancelledSuppressed)
        metrics.callsHeld(report.held)
        guard let call = report.call else { return Response(status: .noContent) }
        metrics.callClaimed(callGroup: call.callGroup)
        if let delay = report.firstClaimDelaySeconds { metrics.firstClaimed(callGroup: call.callGroup, delaySeconds: delay) }
        return APIResponse.ok(Self.json(call))
    }

    func result(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let dialler = try await authenticator.require(.dialler, request, context)
        let body = try await request.jsonObject(limit: maxBodyBytes)
        var reader = FieldReader(body.object)
        let callID = reader.integer("call_id", label: "Call Id", range: 1...Int.max)
        if callID == nil, reader.errors.isEmpty { reader.requireMissing("call_id", label: "Call Id") }
        let outcome = reader.string("outcome", label: "Outcome", required: true, maxLength: 100)
        let retryIn = reader.integer("retry_in", label: "Retry In", range: 0...Self.maxRetry)
        let abandoned = reader.flag("abandoned", label: "Abandoned")
        let doNotCall = reader.flag("do_not_call", label: "Do Not Call")
        guard reader.errors.isEmpty, let callID, let outcome else { throw APIError.invalid(reader.errors) }
        let result = CallResult(outcome: outcome, retryAfterSeconds: retryIn, abandoned: abandoned, doNotCall: doNotCall)
        do {
            let recorded = try await store.recordResult(callID: Int64(callID), result: result, by: dialler)
            metrics.callsCancelledBySuppression(recorded.cancelledCalls.count)
            let reason = recorded.reason.map { #","reason":"# + JSONWriter.quoted($0) } ?? ""
            return APIResponse.ok(#"{"call_id":\#(callID),"state":"\#(recorded.state.rawValue)""# + reason + "}")
        } catch CallResultRejection.noSuchCall {
            throw APIError.response(status: .notFound, body: #"{"error":"Call not found"}"#)
        } catch CallResultRejection.notDialling(let state) {
            throw APIError.response(status: .conflict, body: #"{"error":"Call is not being dialled","state":"\#(state.rawValue)"}"#)
        } catch CallResultRejection.claimedByAnotherDialler {
            throw APIError.response(status: .conflict, body: #"{"error":"Call is being dialled by another dialler","state":"dialling"}"#)
        }
    }

    /// The claimed call as the dialler receives it; `data` is the stored object itself.
    static func json(_ call: ClaimedCall) -> String {
        func string(_ value: String?) -> String { value.map(JSONWriter.quoted) ?? "null" }
        return "{"
            + #""call_id":\#(call.callID),"lead_id":\#(call.leadID),"#
            + #""mobile":\#(string(call.mobile)),"other_phone":\#(string(call.otherPhone)),"#
            + #""first_name":\#(string(call.firstName)),"surname":\#(string(call.surname)),"email":\#(string(call.email)),"#
            + #""type":\#(string(call.type)),"subtype":\#(string(call.subtype)),"call_group":\#(string(call.callGroup)),"#
            + #""data":\#(call.data ?? "null"),"attempt":\#(call.attempt),"lease_expires_at":\#(string(call.leaseExpiresAt.iso8601))"#
            + "}"
    }
}
