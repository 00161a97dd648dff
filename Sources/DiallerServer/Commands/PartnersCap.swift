import ArgumentParser
import DiallerStore

extension Partners {
    /// `partners cap NAME --type TYPE --per-day N | --none`.
    struct Cap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Set how many of a partner's leads of one type may become calls a day (midnight to midnight in the \
                type's time zone), or lift the cap; the partner's next lead is judged by it.
                """)

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The partner's name, as `keys create --partner NAME` gave it.")
        var name: String

        @Option(name: .customLong("type"), parsing: .unconditional, help: "The lead type the cap is for.")
        var type: String

        @Option(name: .customLong("per-day"), parsing: .unconditional, help: "Leads a day that may become calls (0 or more).")
        var perDay: Int?

        @Flag(help: "Lift the cap: every lead of this partner and type may become a call again.")
        var none = false

        func validate() throws {
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the partner name must not be blank") }
            if type.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--type must not be blank") }
            if perDay == nil, !none { throw ValidationError("give --per-day N or --none") }
            if perDay != nil, none { throw ValidationError("give --per-day N or --none, not both") }
            if let perDay, perDay < 0 { throw ValidationError("--per-day must be 0 or more, got \(perDay)") }
        }

        func run() async throws {
            try await database.withStore { store in
                let cap: PartnerCap
                do {
                    cap = try await store.setDailyCap(partner: name, type: type, perDay: none ? nil : perDay)
                } catch let refusal as PartnerCapRefusal {
                    switch refusal {
                    case .noSuchPartner(let name): throw CommandFailure("no partner named \"\(name)\" (keys create --partner NAME makes one)")
                    case .noSuchType(let type): throw CommandFailure("no lead type named \"\(type)\" (lead types are added by migrations)")
                    }
                }
                let today = "\(cap.usedToday) made calls today (\(cap.day))"
                if let perDay = cap.perDay {
                    print("\(cap.partner) may send \(perDay) \(cap.type) lead(s) a day that become calls; \(today)")
                } else {
                    print("\(cap.partner) has no daily cap for \(cap.type); \(today)")
                }
            }
        }
    }
}
