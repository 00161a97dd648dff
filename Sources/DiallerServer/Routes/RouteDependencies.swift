import DiallerStore
import LeadIntake

/// What the partner and dialler route groups share, made once in `buildApplication`.
struct RouteDependencies: Sendable {
    let store: Store
    let authenticator: Authenticator
    let numbers: PhoneNumbers
    let metrics: ServiceMetrics
    let idempotency: IdempotencyGuard
}

/// A route group over the shared dependencies, which it reads as if they were its own.
protocol RouteGroup: Sendable {
    var shared: RouteDependencies { get }
}

extension RouteGroup {
    var store: Store { shared.store }
    var authenticator: Authenticator { shared.authenticator }
    var numbers: PhoneNumbers { shared.numbers }
    var metrics: ServiceMetrics { shared.metrics }
    var idempotency: IdempotencyGuard { shared.idempotency }
}
