import DiallerStore
import HTTPTypes
import Hummingbird
import LeadIntake

/// The diallers' side: `POST /queue/next` claims a call, `POST /queue/result` finishes or retries it.
struct QueueRoutes: RouteGroup {
    let shared: RouteDependencies
    let maxBodyBytes: Int
    let abandonGuard: AbandonGuard

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
        var paused: Set<String> = []
        if let callGroup {
            if case .paused(let rate, let retryAfter) = abandonGuard.check(callGroup: callGroup) {
                return Self.pausedResponse(rate, limit: abandonGuard.limit ?? 0, retryAfter: retryAfter)
            }
        } else {
            paused = abandonGuard.pausedGroups()
        }
        let report = try await store.claimNextCall(callGroup: callGroup, excluding: paused, by: dialler)
        metrics.callsCancelledBySuppression(report.cancelledSuppressed)
        metrics.callsHeld(report.held)
        guard let call = report.call else { return Response(status: .noContent) }
        metrics.callClaimed(callGroup: call.callGroup)
        let rate = store.abandonRate(callGroup: call.callGroup)
        if let delay = report.firstClaimDelaySeconds { metrics.firstClaimed(callGroup: call.callGroup, delaySeconds: delay) }
        return APIResponse.json(.ok, Self.json(call), headers: [Self.abandonRateHeader: AbandonGuard.format(rate.percent)])
    }

    /// `Abandon-Rate`: the handed call's group's rate in percent, for a predictive dialler's pacing.
    static let abandonRateHeader = HTTPField.Name("Abandon-Rate")!

    /// `429` `{"paused":"abandon_rate","call_group":"…","rate":3.4,"limit":3.0}` with `Retry-After`: a
    /// pause is the dialling pace held back, not a fault of the server (no 5xx for the error alerts).
    static func pausedResponse(_ rate: AbandonRate, limit: Double, retryAfter: Int) -> Response {
        let body =
            #"{"paused":"abandon_rate","call_group":"# + JSONWriter.quoted(rate.callGroup)
            + #","rate":\#(AbandonGuard.format(rate.percent)),"limit":\#(AbandonGuard.format(limit))}"#
        return APIResponse.json(.tooManyRequests, body, headers: [.retryAfter: String(retryAfter)])
    }

    func result(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let dialler = try await authenticator.require(.dialler, request, context)
        let body = try await request.jsonObject(limit: maxBodyBytes)
        var reader = FieldReader(body.object)
        let callID = reader.integer("call_id", label: "Call Id", range: 1...Int.max)
        if callID == nil, reader.errors.isEmpty { reader.requireMissing("call_id", label: "Call Id") }
        // `outcome` may be left out when a `result` stands in for it (a blank `result` is no result).
        let resultGiven =
            switch body.object["result"] {
            case nil, .null?: false
            case .string(let text)?: !text.trimmingWhitespace.isEmpty
            default: true
            }
        let outcome = reader.string("outcome", label: "Outcome", required: !resultGiven, maxLength: 100)
        let retryIn = reader.integer("retry_in", label: "Retry In", range: 0...Self.maxRetry)
        let abandoned = reader.flag("abandoned", label: "Abandoned")
        let doNotCall = reader.flag("do_not_call", label: "Do Not Call")
        let disposition = Self.disposition(&reader, abandoned: abandoned)
        guard reader.errors.isEmpty, let callID, let outcome = outcome ?? disposition.result?.rawValue else {
            throw APIError.invalid(reader.errors)
        }
        let result = CallResult(
            outcome: outcome, retryAfterSeconds: retryIn, abandoned: abandoned, doNotCall: doNotCall,
            result: disposition.result, success: disposition.success)
        do {
            let recorded = try await store.recordResult(callID: Int64(callID), result: result, by: dialler)
            metrics.callsCancelledBySuppression(recorded.cancelledCalls.count)
            _ = abandonGuard.check(callGroup: recorded.callGroup)
            return APIResponse.ok(Self.json(recorded, callID: callID))
        } catch CallResultRejection.noSuchCall {
            throw APIError.response(status: .notFound, body: #"{"error":"Call not found"}"#)
        } catch CallResultRejection.notDialling(let state) {
            throw APIError.response(status: .conflict, body: #"{"error":"Call is not being dialled","state":"\#(state.rawValue)"}"#)
        } catch CallResultRejection.claimedByAnotherDialler {
            throw APIError.response(status: .conflict, body: #"{"error":"Call is being dialled by another dialler","state":"dialling"}"#)
        }
    }

    /// `result` and `success`, checked against each other and against `abandoned`.
    static func disposition(_ reader: inout FieldReader, abandoned: Bool) -> (result: Disposition?, success: Bool) {
        var result: Disposition?
        if let text = reader.string("result", label: "Result", required: false) {
            result = Disposition(rawValue: text)
            if result == nil { reader.reject("result", "Result is not one of \(Disposition.listed).") }
        }
        let success = reader.flag("success", label: "Success")
        if abandoned, let result, result != .abandoned {
            reader.reject("abandoned", "Abandoned cannot be true when Result is \(result.rawValue).")
        }
        if success, result != .connected {
            reader.reject("success", "Success can only be true when Result is connected.")
        }
        return (result ?? (abandoned ? .abandoned : nil), success)
    }

    /// `{"call_id":2,"state":"waiting","due_at":"…","rule":"no_answer"}`: where the result left the call.
    static func json(_ recorded: ResultOutcome, callID: Int) -> String {
        var body = #"{"call_id":\#(callID),"state":"\#(recorded.state.rawValue)""#
        if let due = recorded.dueAt { body += #","due_at":"# + JSONWriter.quoted(String(due.iso8601.prefix(19)) + "Z") }
        if let reason = recorded.reason { body += #","reason":"# + JSONWriter.quoted(reason) }
        if let rule = recorded.rule { body += #","rule":"# + JSONWriter.quoted(rule.rawValue) }
        return body + "}"
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
