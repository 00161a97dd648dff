import ArgumentParser
import DiallerStore
import Foundation
import LeadIntake

/// `dialler-server suppress …`: the do-not-call lists, against `--db` alone, from any directory.
struct Suppress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, remove, import and check numbers on do-not-call lists; suppressing a number cancels its open calls.",
        subcommands: [Add.self, Remove.self, Import.self, Check.self, Lists.self]
    )

    /// The list and the region numbers are read in, shared by the subcommands that take numbers.
    struct ListOptions: ParsableArguments {
        @Option(parsing: .unconditional, help: "The list: internal (people who objected to us), tps, ctps, a client's own…")
        var list = internalSuppressionList

        @Option(parsing: .unconditional, help: "Region for numbers written without a country code (env DIALLER_REGION; default GB).")
        var region: String?

        mutating func validate() throws {
            _ = try listName()
            _ = try numbers()
        }

        func listName() throws -> String {
            try Setting(
                "--list",
                SettingRule(expectation: "lower-case letters, digits, - and _ (like tps)") { name in
                    !name.isEmpty && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" } ? name : nil
                }
            ).resolve(list, default: internalSuppressionList)
        }

        func numbers() throws -> PhoneNumbers {
            PhoneNumbers(
                defaultRegion: try Setting("--region", env: "DIALLER_REGION", .region).resolve(region, default: ServerConfiguration().region))
        }

        /// The number in E.164, or a one-line failure naming what was given.
        func e164(_ text: String) throws -> String {
            let numbers = try numbers()
            guard let number = numbers.e164(text.trimmingCharacters(in: .whitespaces)) else {
                throw CommandFailure("\"\(text)\" is not a valid phone number (region \(numbers.defaultRegion))")
            }
            return number
        }
    }

    /// `suppress add NUMBER [--list internal] [--reason TEXT]`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a number on a list and cancel its waiting and queued calls.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var list: ListOptions
        @Argument(help: "The number, in any format the partner API accepts.") var number: String
        @Option(parsing: .unconditional, help: "Why, for compliance officers.") var reason: String?

        func run() async throws {
            let mobile = try list.e164(number)
            let name = try list.listName()
            try await database.withStore { store in
                let change = try await store.suppress(mobile: mobile, list: name, reason: reason)
                print("\(mobile) \(change.added ? "added to" : "was already on") list \(name); \(change.cancelledCalls.count) call(s) cancelled")
            }
        }
    }

    /// `suppress remove NUMBER [--list internal]`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a number off a list (cancelled calls stay cancelled).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var list: ListOptions
        @Argument(help: "The number.") var number: String

        func run() async throws {
            let mobile = try list.e164(number)
            let name = try list.listName()
            try await database.withStore { store in
                guard try await store.unsuppress(mobile: mobile, list: name) else { throw CommandFailure("\(mobile) is not on list \(name)") }
                print("\(mobile) removed from list \(name)")
            }
        }
    }

    /// `suppress check NUMBER`: which lists hold it, since when.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which lists hold a number, and since when.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var list: ListOptions
        @Argument(help: "The number.") var number: String

        func run() async throws {
            let mobile = try list.e164(number)
            try await database.withStore { store in
                let entries = try await store.suppressionEntries(of: mobile)
                if entries.isEmpty { print("\(mobile) is on no list") }
                for entry in entries {
                    print("\(mobile)\t\(entry.list)\tsince \(entry.addedAt.iso8601)\t\(entry.reason ?? "-")")
                }
            }
        }
    }

    /// `suppress lists [--consent-overrides NAME on|off]`: name, numbers, loaded_at, consent_overrides.
    struct Lists: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the do-not-call lists: numbers held, when each was last loaded, and whether consent overrides it.")
        @OptionGroup var database: DatabaseOptions
        @Option(
            name: .customLong("consent-overrides"), parsing: .upToNextOption,
            help: ArgumentHelp(
                "Mark a list (tps, ctps) as one a lead's recorded consent overrides, or not: NAME on|off.",
                valueName: "NAME on|off"))
        var consentOverrides: [String] = []

        func validate() throws {
            _ = try consentOverridesChange()
        }

        /// The list and the setting asked for, or nil when the option is absent.
        func consentOverridesChange() throws -> (list: String, on: Bool)? {
            guard !consentOverrides.isEmpty else { return nil }
            guard consentOverrides.count == 2, let on = ["on": true, "off": false][consentOverrides[1]] else {
                throw ValidationError(
                    "--consent-overrides takes a list and on or off (like tps on), got \"\(consentOverrides.joined(separator: " "))\"")
            }
            return (consentOverrides[0], on)
        }

        func run() async throws {
            try await database.withStore { store in
                if let change = try consentOverridesChange() {
                    do {
                        try await store.setConsentOverrides(list: change.list, change.on)
                    } catch let refusal as SuppressionListRefusal {
                        throw CommandFailure(refusal.description)
                    }
                    print("list \(change.list): \(change.on ? "a lead's recorded consent now overrides it" : "consent no longer overrides it")")
                }
                print("list\tnumbers\tloaded_at\tconsent_overrides")
                for list in try await store.suppressionLists() {
                    print("\(list.name)\t\(list.numbers)\t\(list.loadedAt?.iso8601 ?? "-")\t\(list.consentOverrides ? "on" : "off")")
                }
            }
        }
    }
}
