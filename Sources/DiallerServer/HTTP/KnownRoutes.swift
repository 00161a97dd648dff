/// The paths the server answers and their methods (as `Allow` lists them), so a wrong method gets `405` with `Allow`
/// instead of `404`, and metrics label requests by route rather than by raw path.
enum KnownRoutes {
    static let methods: [String: String] = [
        "/lead/add": "POST",
        "/lead/cancel": "POST",
        "/lead/optout": "POST",
        "/lead/status": "GET, POST",
        "/lead/batch": "POST",
        "/queue/next": "POST",
        "/queue/result": "POST",
        "/healthz": "GET",
        "/readyz": "GET",
        "/metrics": "GET",
        "/openapi.yaml": "GET",
    ]

    /// The route label for `path`: the route when known, otherwise "unknown" (bounded label values).
    static func label(_ path: String) -> String {
        if methods[path] != nil { return path }
        return allowedMethod(path) == nil ? "unknown" : normalized(path)
    }

    /// The method `path` answers, if it is one of ours.
    static func allowedMethod(_ path: String) -> String? { methods[path] ?? methods[normalized(path)] }

    /// The router ignores empty segments (`/lead/add/`, `//lead//add`); so do we.
    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
