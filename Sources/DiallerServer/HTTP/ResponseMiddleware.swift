import DiallerStore
import Hummingbird
import LeadIntake
import Logging

/// The outermost middleware: turns every error into the contract's JSON response, stamps
/// `X-Request-Id`, writes one access-log line and records request metrics.
struct ResponseMiddleware: RouterMiddleware {
    typealias Context = DiallerContext
    let metrics: ServiceMetrics
    let trustedProxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.response(for: error, request: request, context: context)
        }
        response.headers[.xRequestID] = context.id
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = KnownRoutes.label(request.uri.path)
        metrics.recordRequest(route: route, status: response.status.code, seconds: seconds)
        // Building the metadata costs more than the rest of a cheap request: only when it is written.
        if context.logger.logLevel <= .info {
            var metadata: Logger.Metadata = [
                "method": "\(request.method)", "route": "\(route)", "status": "\(response.status.code)",
                "ms": "\(Int((seconds * 1000).rounded()))",
                "client": "\(request.clientAddress(peer: context.remoteAddress, trusting: trustedProxies))",
            ]
            if let caller = context.facts.caller { metadata["caller"] = "\(caller)" }
            context.logger.info("request", metadata: metadata)
        }
        return response
    }

    /// The one place errors become HTTP.
    static func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as APIError:
            return error.response
        case let error as HTTPError where error.status == .notFound:
            if let allowed = KnownRoutes.allowedMethod(request.uri.path) {
                return APIResponse.json(.methodNotAllowed, APIResponse.methodNotAllowedBody, headers: [.allow: allowed])
            }
            return APIResponse.json(.notFound, APIResponse.notFoundBody)
        case let error as HTTPError:
            return APIResponse.json(error.status, #"{"error":"# + JSONWriter.quoted(error.status.reasonPhrase) + "}")
        case let error as SQLiteError where error.isBusy:
            context.logger.warning("database busy", metadata: ["error": "\(error)"])
            return APIResponse.unavailable(requestID: context.id)
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return APIResponse.internalError(requestID: context.id)
        }
    }
}
