@testable import DiallerServer

/// What the OpenAPI document must mention to stay in step with the code.
enum OpenAPIExpectations {
    static var routes: [(String, String)] { KnownRoutes.methods.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// Every fixed body the server sends, byte for byte.
    static let fixedBodies = [
        #"{"test":"ok"}"#,
        LeadRoutes.body(for: .processed),
        LeadRoutes.body(for: .unknownType),
        LeadRoutes.body(for: .alreadyScheduled),
        LeadRoutes.body(for: .existingContact),
        LeadRoutes.body(for: .suppressed),
        LeadRoutes.body(for: .lineTypeNotAccepted),
        #"{"consent":{"0":"Consent cannot be blank."}}"#,
        #"{"consent":{"0":"Consent is older than 180 days."}}"#,
        LeadRoutes.body(for: .dailyCap),
        #"{"suppressed":true}"#,
        #"{"cancelled":true}"#,
        #"{"cancelled":false,"warning":"not found"}"#,
        #"{"cancelled":false,"warning":"already processed"}"#,
        #"{"cancelled":false,"warning":"server error (call group)"}"#,
        #"{"cancelled":false,"warning":"server error (save)"}"#,
        APIResponse.invalidKeyBody,
        APIResponse.notFoundBody,
        APIResponse.methodNotAllowedBody,
        #"{"error":"Too many requests"}"#,
        #"{"error":"Call not found"}"#,
        IdempotencyKeyHeader.invalidBody,
        IdempotencyGuard.inProgressBody,
        IdempotencyGuard.reusedBody,
        #"{"body":{"0":"The batch has no leads."}}"#,
        #"{"body":{"0":"The batch has more than 1000 leads; send at most 1000 at once."}}"#,
        #"{"body":{"0":"The body must be a JSON array of leads (or CSV, sent as text/csv)."}}"#,
        #"{"body":{"0":"The CSV has no header row."}}"#,
        #"{"body":{"0":"The CSV is not valid UTF-8."}}"#,
        "The lead must be a JSON object, not another kind of value.",
    ]
}
