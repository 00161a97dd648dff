import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx running the shipped `deploy/nginx/dialler.conf` as `deploy/nginx/render` prints
/// it (placeholders replaced, nothing else changed), in front of a server on a loopback port. Its
/// prefix, pid, temporary files and logs are in `directory`; it runs in the foreground as the
/// test's child.
final class NginxEdge {
    static let render = URL(fileURLWithPath: migrationsDirectory).deletingLastPathComponent()
        .appendingPathComponent("deploy/nginx/render").path

    let httpsPort: Int
    let httpPort: Int
    let directory: String
    let certificate: SelfSignedCertificate
    private let child: ChildProcess

    init(upstreamPort: Int, directory: String, certificate: SelfSignedCertificate, nginx: String) async throws {
        self.directory = directory
        self.certificate = certificate
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        var lastError: (any Error)?
        // A port picked free can be taken before nginx binds it: try again with others.
        for _ in 0..<3 {
            let https = try freeLoopbackPort()
            let http = try freeLoopbackPort()
            try await Self.writeConfiguration(
                in: directory,
                values: [
                    "SERVER_NAME": "127.0.0.1", "HTTPS_LISTEN": "127.0.0.1:\(https)", "HTTP_LISTEN": "127.0.0.1:\(http)",
                    "CERTIFICATE": certificate.certificate, "CERTIFICATE_KEY": certificate.privateKey,
                    "UPSTREAM_PORT": "\(upstreamPort)", "LOG_DIR": directory + "/logs",
                ])
            let child = try ChildProcess(nginx, ["-e", "stderr", "-p", directory, "-c", directory + "/nginx.conf"])
            if try await waitUntilListening(port: https, seconds: 5), try await waitUntilListening(port: http, seconds: 1) {
                (self.httpsPort, self.httpPort, self.child) = (https, http, child)
                return
            }
            child.stop()
            lastError = EdgeTestError.notListening("nginx did not start: \(child.text)")
        }
        throw lastError!
    }

    deinit { child.stop() }

    /// The edge's own access log (`log_format dialler_edge`).
    var accessLog: String { (try? String(contentsOfFile: directory + "/logs/dialler-edge.log", encoding: .utf8)) ?? "" }

    /// nginx's start-up output and its errors before the config's own error log opens.
    var output: String { child.text }

    /// The shipped file rendered with `values`, included from a main file that holds only what a
    /// test run needs: foreground, one worker, paths in `directory`.
    private static func writeConfiguration(in directory: String, values: [String: String]) async throws {
        let rendered = try await ChildProcess.run("/bin/bash", [render], environment: values)
        guard rendered.status == 0 else { throw EdgeTestError.toolFailed("deploy/nginx/render failed: \(rendered.text)") }
        try rendered.text.write(toFile: directory + "/dialler.conf", atomically: true, encoding: .utf8)
        // As root, nginx's workers would switch to nobody, who may not write this folder.
        let user = getuid() == 0 ? "user root;\n" : ""
        let main = """
            daemon off;
            \(user)worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log stderr warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(directory)/client_body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                include \(directory)/dialler.conf;
            }

            """
        try main.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
    }
}
