import ArgumentParser
import DiallerStore
import Foundation

/// `dialler-server partners …`: what partners are told, against `--db` alone, from any directory.
struct Partners: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Configure partners' outcome webhooks and daily caps.",
        subcommands: [Webhook.self, Cap.self]
    )

    /// `partners webhook NAME --url URL [--events …] | --rotate-secret | --disable | --redeliver-failed`; a new
    /// secret (a first URL, a rotation) is sealed with `--secrets-key-file`.
    struct Webhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Set a partner's webhook endpoint (a new secret is printed once, alone on the first line), rotate its \
                secret, disable it, or re-queue its failed deliveries.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var secrets: SecretsKeyOptions

        @Argument(help: "The partner's name, as `keys create --partner NAME` gave it.")
        var name: String

        @Option(parsing: .unconditional, help: "The https URL events are POSTed to (http only to this machine, unless serve --allow-http).")
        var url: String?

        @Option(parsing: .unconditional, help: "Comma-separated events: call.finished, call.cancelled, lead.suppressed (default: all).")
        var events: String?

        @Flag(help: "Make a new secret and print it; the old one still signs, as a second signature, for 24 hours.")
        var rotateSecret = false

        @Flag(help: "Stop sending to this endpoint (events are no longer recorded for it); --url or --events enables it again.")
        var disable = false

        @Flag(help: "Queue this partner's failed deliveries again, due now, with another 24 hours of retries.")
        var redeliverFailed = false

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the partner name must not be blank") }
            if url == nil, events == nil, !rotateSecret, !disable, !redeliverFailed {
                throw ValidationError("give --url URL (with --events), --rotate-secret, --disable or --redeliver-failed")
            }
            if redeliverFailed, url != nil || events != nil || rotateSecret || disable {
                throw ValidationError("--redeliver-failed goes alone")
            }
            if disable, url != nil || events != nil || rotateSecret {
                throw ValidationError("--disable goes alone")
            }
            if let url, !WebhookURLPolicy.isWellFormed(url) {
                throw ValidationError("--url must be an absolute http or https URL, got \"\(url)\"")
            }
            _ = try eventList()
        }

        /// The events named by `--events`, or nil when it was not given.
        func eventList() throws -> [WebhookEventType]? {
            guard let events else { return nil }
            let names = events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let unknown = names.filter { WebhookEventType(rawValue: $0) == nil }
            if names.isEmpty || !unknown.isEmpty {
                throw ValidationError("--events must list call.finished, call.cancelled or lead.suppressed, got \"\(events)\"")
            }
            return WebhookEventType.allCases.filter { names.contains($0.rawValue) }
        }

        func run() async throws {
            let secretsKey = try secrets.key()
            try await database.withStore { store in
                do {
                    if redeliverFailed {
                        let count = try await store.redeliverFailedWebhooks(partner: name)
                        print("queued \(count) failed event(s) for \(name) again")
                        return
                    }
                    let change = WebhookEndpointChange(url: url, events: try eventList(), rotateSecret: rotateSecret, disable: disable)
                    let report = try await store.changeWebhookEndpoint(partner: name, change, key: secretsKey?.key)
                    if let secret = report.newSecret { print(secret) }
                    let endpoint = report.endpoint
                    let state = endpoint.disabled ? "disabled" : "enabled"
                    let summary = "webhook for \(name): \(endpoint.url) (\(endpoint.events.map(\.rawValue).joined(separator: ","))), \(state)"
                    if report.newSecret != nil {
                        printError(
                            summary + "; the secret above is not shown again" + (rotateSecret ? " (the previous one still signs for 24 hours)" : ""))
                    } else {
                        print(summary)
                    }
                    if let refusal = WebhookURLPolicy().refusal(of: endpoint.url) { printError("warning: \(refusal)") }
                } catch let refusal as WebhookEndpointRefusal {
                    switch refusal {
                    case .noSuchPartner(let name): throw CommandFailure("no partner named \"\(name)\" (keys create --partner NAME makes one)")
                    case .urlRequired(let name): throw CommandFailure("partner \(name) has no webhook yet; give --url URL")
                    case .noSuchEndpoint(let name): throw CommandFailure("partner \(name) has no webhook; give --url URL to make one")
                    case .secretsKeyRequired(let name):
                        throw CommandFailure("a new webhook secret for \(name) is sealed with the secrets key: \(SecretsKeyOptions.howToGive)")
                    }
                } catch let refusal as SecretsRefusal {
                    throw CommandFailure(refusal.message(keyFile: secretsKey?.path))
                }
            }
        }
    }
}
