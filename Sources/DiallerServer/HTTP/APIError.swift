import Hummingbird
import LeadIntake

/// A request the contract answers with an error response rather than an outcome.
enum APIError: Error {
    /// Missing, unknown or revoked key, or a key of the wrong role: 401.
    case invalidKey
    /// The body is not a JSON object: 400 under `"body"`.
    case malformedBody(String)
    /// Field validation failed: 400 listing every field.
    case invalid(ValidationErrors)
    /// The body is over the limit: 413.
    case bodyTooLarge(limit: Int)
    /// A fixed response, such as a cancel's server-error warning.
    case response(status: HTTPResponse.Status, body: String)
    /// Too many requests for this key: 429.
    case rateLimited(retryAfterSeconds: Int)

    var response: Response {
        switch self {
        case .invalidKey:
            APIResponse.json(.unauthorized, APIResponse.invalidKeyBody)
        case .malformedBody(let message):
            APIResponse.bodyError(.badRequest, message)
        case .invalid(let errors):
            APIResponse.json(.badRequest, errors.json)
        case .bodyTooLarge(let limit):
            APIResponse.bodyError(.contentTooLarge, "The request body is larger than the limit of \(limit) bytes.")
        case .response(let status, let body):
            APIResponse.json(status, body)
        case .rateLimited(let seconds):
            APIResponse.json(.tooManyRequests, #"{"error":"Too many requests"}"#, headers: [.retryAfter: "\(seconds)"])
        }
    }
}
