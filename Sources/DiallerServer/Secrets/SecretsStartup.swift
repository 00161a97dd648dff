import DiallerStore
import Logging

/// What `serve` does with the secrets key before it listens: without one it starts only if no
/// webhook endpoint exists; with one it refuses a key other than the one the secrets are sealed
/// with, and seals any secret still in clear (a database from before sealing), once.
enum SecretsStartup {
    static func prepare(_ store: Store, secrets: LoadedSecretsKey?, logger: Logger) async throws {
        guard let secrets else {
            let endpoints = try await store.webhookSecretsState().endpoints
            if endpoints > 0 { throw CommandFailure(SecretsRefusal.keyRequired(endpoints: endpoints).message(keyFile: nil)) }
            return
        }
        let report: SecretsReport
        do {
            report = try await store.sealWebhookSecrets(with: secrets.key)
        } catch let refusal as SecretsRefusal {
            throw CommandFailure(refusal.message(keyFile: secrets.path))
        }
        if report.secrets > 0 {
            logger.notice(
                "sealed webhook secrets kept in clear",
                metadata: [
                    "secrets": "\(report.secrets)", "endpoints": "\(report.endpoints)", "key": "\(secrets.key.id)",
                    "wal_truncated": "\(report.walTruncated)",
                ])
            if !report.walTruncated {
                logger.warning(
                    "the WAL could not be truncated after sealing (a reader held it); it keeps earlier copies until the next full checkpoint")
            }
        }
        logger.info("secrets key", metadata: ["key": "\(secrets.key.id)", "file": "\(secrets.path)", "endpoints": "\(report.endpoints)"])
    }
}
