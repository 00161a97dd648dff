import Foundation

/// A certificate for 127.0.0.1 and localhost made with the openssl CLI, as an operator would make
/// a stand-in before Let's Encrypt: curl trusts it through `--cacert`, nothing through -k.
struct SelfSignedCertificate {
    let certificate: String
    let privateKey: String

    init(in directory: String, openssl: String) async throws {
        certificate = directory + "/cert.pem"
        privateKey = directory + "/key.pem"
        let made = try await ChildProcess.run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", privateKey, "-out", certificate, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
        guard made.status == 0 else { throw EdgeTestError.toolFailed("openssl req failed: \(made.text)") }
    }
}
