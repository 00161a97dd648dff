import AsyncHTTPClient
import DiallerStore
import Foundation
import NIOCore

/// One delivery attempt: the signed POST and what came of it, within the attempt's time limit.
struct WebhookAttempt: Sendable {
    let client: HTTPClient
    let timeout: Double

    /// What the endpoint answered: its status, or why there was none.
    enum Answer: Sendable, Equatable {
        case status(Int)
        case error(String)
    }

    /// POSTs `event`'s body to `url` with the Standard Webhooks headers for this attempt.
    func send(_ event: OutboxEvent, to url: String, signingSecrets secrets: [String], at now: Timestamp) async -> Answer {
        let timestamp = now.milliseconds / 1000
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "dialler-webhooks/1")
        request.headers.add(name: "webhook-id", value: event.webhookID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: WebhookSignature.header(id: event.webhookID, timestamp: timestamp, body: event.payload, secrets: secrets))
        request.body = .bytes(ByteBuffer(string: event.payload))
        let client = self.client
        let limit = Int64(timeout * 1_000_000_000)
        let prepared = request
        do {
            return try await withThrowingTaskGroup(of: Answer?.self) { group in
                // The deadline covers the answer's head only; the race covers the body as well.
                group.addTask {
                    let response = try await client.execute(prepared, deadline: .now() + .nanoseconds(limit))
                    for try await _ in response.body {}
                    return .status(Int(response.status.code))
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(limit))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else {
                    return .error("no answer within \(Self.seconds(timeout)) s")
                }
                return answer
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return .error("no answer within \(Self.seconds(timeout)) s")
        } catch {
            return .error(Self.describe(error))
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// A short, log-safe account of a transport failure.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        if let error = error as? IOError { return "connection failed: \(error.description)" }
        return String(describing: error).prefix(200).description
    }
}
