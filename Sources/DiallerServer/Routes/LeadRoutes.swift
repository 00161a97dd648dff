import DiallerStore
import Hummingbird
import LeadIntake

/// `POST /lead/add`, `/lead/cancel` and `/lead/optout`: decode, validate, call the store, encode.
struct LeadRoutes: RouteGroup {
    let shared: RouteDependencies
    let maxBodyBytes: Int

    func register(on router: Router<DiallerContext>) {
        router.post("/lead/add") { request, context in try await add(request, context) }
        router.post("/lead/cancel") { request, context in try await cancel(request, context) }
        router.post("/lead/optout") { request, context in try await optOut(request, context) }
    }

    func add(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let partner = try await authenticator.require(.partner, request, context)
        if let key = try IdempotencyKeyHeader.key(of: request) { return try await addOnce(request, partner: partner, key: key) }
        let body = try await request.jsonObject(limit: maxBodyBytes)
        guard let lead = try validLead(body.object, rawBody: body.bytes) else { return APIResponse.ok(#"{"test":"ok"}"#) }
        let saved: SavedLead
        do {
            saved = try await store.submitLead(lead, from: partner)
        } catch let refusal as ConsentRefusal {
            throw refused(refusal)
        }
        count(saved, type: lead.type, partner: partner)
        return APIResponse.json(.ok, Self.body(for: saved.outcome), headers: [.xLeadID: String(saved.leadID)])
    }

    /// The lead a `/lead/add` body asks for; nil in test mode; a 400 listing every field otherwise.
    func validLead(_ object: JSONObject, rawBody: [UInt8]) throws -> NewLead? {
        switch LeadRequest.validate(
            object, rawBody: String(decoding: rawBody, as: UTF8.self), numbers: numbers,
            now: store.clock.now())
        {
        case .success(let validated): return validated.isTest ? nil : validated.lead
        case .failure(let errors):
            metrics.validationFailed(fields: errors.fields.map(\.name))
            throw APIError.invalid(errors)
        }
    }

    /// The `400` for a lead its type refused for its consent, counted as a failed `consent` field.
    func refused(_ refusal: ConsentRefusal) -> APIError {
        metrics.validationFailed(fields: ["consent"])
        return .invalid(Self.errors(for: refusal))
    }

    /// `{"consent":{"0":"Consent cannot be blank."}}` and `{"consent":{"0":"Consent is older than 180 days."}}`.
    static func errors(for refusal: ConsentRefusal) -> ValidationErrors {
        var errors = ValidationErrors()
        switch refusal {
        case .missing: errors.add("consent", "Consent cannot be blank.")
        case .tooOld(let days): errors.add("consent", "Consent is older than \(days) days.")
        }
        return errors
    }

    /// Counts a saved lead in the metrics.
    func count(_ saved: SavedLead, type: String, partner: Principal) {
        let knownType = saved.outcome == .unknownType ? "unknown" : type
        metrics.leadReceived(partner: partner.name, type: knownType, outcome: saved.outcome.rawValue)
        if let list = saved.suppressedBy { metrics.leadSuppressed(list: list) }
    }

    func cancel(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let partner = try await authenticator.require(.partner, request, context)
        let body = try await request.jsonObject(limit: maxBodyBytes)
        let validated: CancelRequest
        switch CancelRequest.validate(body.object, numbers: numbers) {
        case .success(let cancel): validated = cancel
        case .failure(let errors):
            metrics.validationFailed(fields: errors.fields.map(\.name))
            throw APIError.invalid(errors)
        }
        do {
            let outcome = try await store.cancelCall(type: validated.type, mobile: validated.mobile, partner: partner)
            switch outcome {
            case .cancelled:
                metrics.cancelAnswered(outcome: "cancelled")
                return APIResponse.ok(#"{"cancelled":true}"#)
            case .notFound:
                metrics.cancelAnswered(outcome: "not_found")
                return APIResponse.ok(#"{"cancelled":false,"warning":"not found"}"#)
            case .alreadyProcessed:
                metrics.cancelAnswered(outcome: "already_processed")
                return APIResponse.ok(#"{"cancelled":false,"warning":"already processed"}"#)
            }
        } catch CancelFailure.callGroup(let underlying) {
            metrics.cancelAnswered(outcome: "error_call_group")
            context.logger.error("cancel failed removing the call from the queue", metadata: ["error": "\(underlying)"])
            throw APIError.response(status: .internalServerError, body: #"{"cancelled":false,"warning":"server error (call group)"}"#)
        } catch {
            metrics.cancelAnswered(outcome: "error_save")
            context.logger.error("cancel failed saving", metadata: ["error": "\(error)"])
            throw APIError.response(status: .internalServerError, body: #"{"cancelled":false,"warning":"server error (save)"}"#)
        }
    }

    /// A partner relays a person's objection: the number goes on the internal list at once and its
    /// waiting and queued calls are cancelled, in one writer job.
    func optOut(_ request: Request, _ context: DiallerContext) async throws -> Response {
        let partner = try await authenticator.require(.partner, request, context)
        let body = try await request.jsonObject(limit: maxBodyBytes)
        var reader = FieldReader(body.object)
        let mobile = reader.phone("mobile", label: "Mobile", required: true, numbers: numbers)
        let isTest = reader.testFlag("test", label: "Test")
        guard reader.errors.isEmpty, let mobile else {
            metrics.validationFailed(fields: reader.errors.fields.map(\.name))
            throw APIError.invalid(reader.errors)
        }
        // Test mode validates only, as on /lead/add: a partner's integration test suppresses nobody.
        if isTest { return APIResponse.ok(#"{"test":"ok"}"#) }
        let change = try await store.suppress(mobile: mobile, reason: "opt-out from partner \(partner.name)")
        metrics.callsCancelledBySuppression(change.cancelledCalls.count)
        return APIResponse.ok(#"{"suppressed":true}"#)
    }

    /// The contract's body for each outcome, byte for byte.
    static func body(for outcome: LeadOutcome) -> String {
        switch outcome {
        case .processed: #"{"saved":true,"processed":true}"#
        case .unknownType: #"{"saved":true,"processed":false,"error":"Unknown Type"}"#
        case .suppressed: #"{"saved":true,"processed":false,"error":"Do Not Call"}"#
        case .alreadyScheduled: #"{"saved":true,"processed":false,"error":"Another call is already scheduled"}"#
        case .existingContact: #"{"saved":true,"processed":false,"error":"Existing Contact"}"#
        case .lineTypeNotAccepted: #"{"saved":true,"processed":false,"error":"Line Type Not Accepted"}"#
        case .dailyCap: #"{"saved":true,"processed":false,"error":"Daily cap reached"}"#
        }
    }
}
