import Hummingbird
import LeadIntake

/// Builds the JSON responses of the contract; every body the server sends goes through here.
enum APIResponse {
    static func json(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        var buffer = ByteBuffer()
        buffer.writeString(body)
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }

    static func ok(_ body: String) -> Response { json(.ok, body) }

    static let invalidKeyBody = #"{"error":"Invalid API key"}"#
    static let notFoundBody = #"{"error":"Not found"}"#
    static let methodNotAllowedBody = #"{"error":"Method not allowed"}"#

    /// `{"error":"Internal server error","request_id":"…"}`
    static func internalError(requestID: String) -> Response {
        json(.internalServerError, #"{"error":"Internal server error","request_id":"# + JSONWriter.quoted(requestID) + "}")
    }

    /// The database stayed locked (by another process) past the busy timeout: try again shortly.
    static func unavailable(requestID: String) -> Response {
        json(
            .serviceUnavailable,
            #"{"error":"Service temporarily unavailable","request_id":"# + JSONWriter.quoted(requestID) + "}",
            headers: [.retryAfter: "1"])
    }

    /// A 400 or 413 about the body as a whole: `{"body":{"0":"…"}}`.
    static func bodyError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, bodyErrorJSON(message))
    }

    /// The text of `{"body":{"0":"…"}}`.
    static func bodyErrorJSON(_ message: String) -> String {
        var errors = ValidationErrors()
        errors.add("body", message)
        return errors.json
    }
}
