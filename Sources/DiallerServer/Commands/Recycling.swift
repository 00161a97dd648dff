import ArgumentParser
import DiallerStore

/// `dialler-server recycling …`: the recycling rules (per lead type and call result), against
/// `--db` alone, from any directory.
struct Recycling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set, remove and list the rules that retry calls by their result when the dialler sends no retry_in.",
        subcommands: [SetRule.self, RemoveRule.self, ListRules.self]
    )

    /// `recycling set TYPE RESULT --retry-after SECONDS --max-retries N`.
    struct SetRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Add or replace the rule for a lead type and result.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The lead type's name.") var type: String
        @Argument(help: "The result: \(Disposition.listed).") var result: String
        @Option(parsing: .unconditional, help: "Seconds before the call is dialled again (moved into the type's calling window).")
        var retryAfter: String
        @Option(parsing: .unconditional, help: "Retries allowed for this result; then the call finishes (reason recycle_limit). 0: never retried.")
        var maxRetries: String

        func run() async throws {
            let delay = try Setting("--retry-after", .integer(0...RecyclingRule.maxRetryAfterSeconds, "a number of seconds from 0 to 31536000"))
                .resolve(retryAfter, default: 0)
            let retries = try Setting("--max-retries", .integer(0...1_000_000, "a whole number from 0 to 1000000")).resolve(maxRetries, default: 0)
            try await database.withStore { store in
                try await store.setRecyclingRule(type: type, result: result, retryAfterSeconds: delay, maxRetries: retries)
                print("\(type) \(result): retry after \(delay) s, at most \(retries) time(s)")
            }
        }
    }

    /// `recycling remove TYPE RESULT`.
    struct RemoveRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove the rule for a lead type and result.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The lead type's name.") var type: String
        @Argument(help: "The result.") var result: String

        func run() async throws {
            try await database.withStore { store in
                guard try await store.removeRecyclingRule(type: type, result: result) else {
                    throw CommandFailure("there is no recycling rule for type \"\(type)\" and result \"\(result)\"")
                }
                print("\(type) \(result): rule removed")
            }
        }
    }

    /// `recycling list`: type, result, retry_after_seconds, max_retries.
    struct ListRules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the recycling rules.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withStore { store in
                print("type\tresult\tretry_after_seconds\tmax_retries")
                for rule in try await store.recyclingRules() {
                    print("\(rule.type)\t\(rule.result.rawValue)\t\(rule.retryAfterSeconds)\t\(rule.maxRetries)")
                }
            }
        }
    }
}
