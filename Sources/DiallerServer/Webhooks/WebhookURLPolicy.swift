import Foundation

/// Where webhooks may be sent: `https` anywhere, `http` only to this machine (a local relay or a
/// test receiver) unless `serve --allow-http` says otherwise, since a plain-text body carries
/// personal data (the mobile).
struct WebhookURLPolicy: Sendable {
    var allowHTTP = false

    /// Why the URL may not be used, or nil when it may.
    func refusal(of text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "\"\(text)\" is not an absolute http or https URL"
        }
        switch scheme {
        case "https": return nil
        case "http":
            if allowHTTP || Self.isLoopback(host) { return nil }
            return "http to \(host), which is not this machine, needs serve --allow-http; use https"
        default:
            return "\"\(text)\" is not an http or https URL"
        }
    }

    /// Whether the URL is one an administrator may configure at all (any `serve` might allow it).
    static func isWellFormed(_ text: String) -> Bool {
        WebhookURLPolicy(allowHTTP: true).refusal(of: text) == nil
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
