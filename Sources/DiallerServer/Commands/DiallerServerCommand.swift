import ArgumentParser
import Foundation

/// `dialler-server`: serve the partner and dialler APIs, apply migrations, manage keys and secrets, back up, or run a demo.
@main
struct DiallerServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialler-server",
        abstract: "Lead intake and call scheduling for outbound call centres.",
        subcommands: [
            Serve.self, Migrate.self, Keys.self, Partners.self, Secrets.self, Suppress.self, Recycling.self, Erase.self, Backup.self, Demo.self,
        ],
        defaultSubcommand: Serve.self
    )

    /// Like ArgumentParser's own `main`, but every failure ends with exactly one line on standard
    /// error (`Error: …`), never a usage dump: administrators' scripts and logs read one line.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-"), !Self.knownCommands.contains(first) {
            fail(
                "unknown command \"\(first)\"; the commands are \(Self.knownCommands.joined(separator: ", ")) (dialler-server --help)",
                exitCode: .validationFailure)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version: ArgumentParser prints them
            let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message, exitCode: code)
        }
    }

    static var knownCommands: [String] {
        configuration.subcommands.map { $0._commandName } + ["help"]
    }

    private static func fail(_ message: String, exitCode: ExitCode) -> Never {
        printError("Error: \(message)")
        Foundation.exit(exitCode.rawValue)
    }
}
