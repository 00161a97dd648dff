import ArgumentParser

/// `dialler-server`: serve the partner and dialler APIs, apply migrations, manage keys, or run a demo.
@main
struct DiallerServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialler-server",
        abstract: "Lead intake and call scheduling for outbound call centres.",
        subcommands: [Serve.self, Migrate.self, Keys.self, Demo.self],
        defaultSubcommand: Serve.self
    )
}
