import Foundation

/// The OpenAPI 3.1 description of the partner and dialler APIs, served at `/openapi.yaml`.
/// The file ships as a resource, so what is served is exactly what is in the repository.
enum OpenAPIDocument {
    static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            return "openapi: 3.1.0\n# the openapi.yaml resource is missing from this build\n"
        }
        return text
    }()
}
