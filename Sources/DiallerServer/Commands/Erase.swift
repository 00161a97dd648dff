import ArgumentParser
import DiallerStore

/// `dialler-server erase NUMBER`: a person's request to be forgotten, in one writer transaction.
struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: """
            Erase a person's data by their mobile: names, e-mail, other phone, data and raw request of every \
            lead, open calls cancelled, the number replaced by a placeholder. The suppression lists keep the \
            number (so it is never called again) unless --no-keep-suppression.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var list: Suppress.ListOptions
    @Argument(help: "The mobile, in any format the partner API accepts.") var number: String
    @Flag(inversion: .prefixedNo, help: "Keep the number on the do-not-call lists that hold it.")
    var keepSuppression = true

    func run() async throws {
        let mobile = try list.e164(number)
        try await database.withStore { store in
            let report = try await store.erase(mobile: mobile, keepSuppression: keepSuppression)
            var lines =
                report.contactFound
                ? ["erased \(mobile): \(report.leadsErased) lead(s) blanked, \(report.callsCancelled) open call(s) cancelled"]
                : ["\(mobile) has no leads"]
            if report.suppressionsRemoved > 0 { lines.append("removed from \(report.suppressionsRemoved) suppression list(s)") }
            lines.append(
                report.suppressionListsKept.isEmpty
                    ? "the number is on no do-not-call list"
                    : "kept on do-not-call list(s) \(report.suppressionListsKept.joined(separator: ", ")) so that it is never called again")
            print(lines.joined(separator: "; "))
        }
    }
}
