import ArgumentParser
import DiallerStore
import Foundation

/// `dialler-server keys ...`: create, list and revoke API keys.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// `keys create --partner NAME [--types a,b]` or `keys create --dialler NAME`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once, alone on the first line; only its hash is stored.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Create a partner key for this partner (created if new).")
        var partner: String?

        @Option(help: "Create a dialler key with this name.")
        var dialler: String?

        @Option(help: "Comma-separated lead types the partner key may submit (default: all).")
        var types: String?

        func validate() throws {
            if (partner == nil) == (dialler == nil) { throw ValidationError("give exactly one of --partner NAME or --dialler NAME") }
            if dialler != nil, types != nil { throw ValidationError("--types applies to partner keys only") }
            if let name = partner ?? dialler, name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("the name must not be blank")
            }
        }

        func run() async throws {
            try await database.withStore { store in
                let allowed = types.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                if let allowed {
                    let unknown = allowed.filter { !store.leadTypeNames.contains($0) }
                    if !unknown.isEmpty { throw CommandFailure("unknown lead type(s): \(unknown.joined(separator: ", "))") }
                }
                let created = try await store.createKey(
                    role: partner != nil ? .partner : .dialler,
                    name: partner ?? dialler!, allowedTypes: allowed)
                print(created.key)
                printError("created key \(created.id) for \(partner.map { "partner \($0)" } ?? "dialler \(dialler!)"); it is not shown again")
            }
        }
    }

    /// `keys list`: every key's id, role, name, types and state; never the key.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                print("id\trole\tname\ttypes\tcreated_at\trevoked_at")
                for key in try await store.listKeys() {
                    print(
                        "\(key.keyID)\t\(key.role.rawValue)\t\(key.name)\t\(key.allowedTypes?.joined(separator: ",") ?? "*")\t\(key.createdAt)\t\(key.revokedAt ?? "-")"
                    )
                }
            }
        }
    }

    /// `keys revoke ID`: effective for the very next request.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; it stops working at once.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The key's id, as `keys list` shows it.")
        var id: Int64

        func run() async throws {
            try await database.withStore { store in
                guard try await store.revokeKey(id: id) else { throw CommandFailure("no unrevoked key with id \(id)") }
                print("revoked key \(id)")
            }
        }
    }
}
