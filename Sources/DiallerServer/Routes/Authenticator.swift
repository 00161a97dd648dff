import DiallerStore
import Hummingbird

/// Resolves the request's key to a caller of the required role, or answers 401.
struct Authenticator: Sendable {
    let store: Store
    let rateLimiter: RateLimiter?
    let metrics: ServiceMetrics

    /// A partner key may not work the queue and a dialler key may not submit leads: both get 401,
    /// as any key that is not valid for the endpoint does.
    func require(_ role: KeyRole, _ request: Request, _ context: DiallerContext) async throws -> Principal {
        guard let key = request.apiKey, let principal = try store.authenticate(key: key), principal.role == role else {
            throw APIError.invalidKey
        }
        context.facts.caller = principal.name
        if let rateLimiter, let wait = rateLimiter.acquire(keyID: principal.keyID) {
            metrics.rateLimited(caller: principal.name)
            throw APIError.rateLimited(retryAfterSeconds: wait)
        }
        return principal
    }
}
