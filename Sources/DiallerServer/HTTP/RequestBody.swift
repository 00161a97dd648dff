import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// The body as bytes, refusing more than `limit` bytes with a 413.
    func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// The body parsed as a JSON object, or a located 400.
    func jsonObject(limit: Int, allowEmpty: Bool = false) async throws -> (object: JSONObject, bytes: [UInt8]) {
        let bytes = try await collectBody(limit: limit)
        if allowEmpty, bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return (JSONObject(), bytes) }
        do {
            return (try JSONParser.parseObject(bytes), bytes)
        } catch {
            throw APIError.malformedBody(error.description)
        }
    }

    /// The API key from `?key=`, `X-API-Key` or `Authorization: Bearer`.
    var apiKey: String? {
        if let key = uri.queryParameters.get("key"), !key.isEmpty { return key }
        if let key = headers[.xAPIKey], !key.isEmpty { return key }
        if let authorization = headers[.authorization] {
            let prefix = "bearer "
            if authorization.count > prefix.count, authorization.prefix(prefix.count).lowercased() == prefix {
                return String(authorization.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}

extension HTTPField.Name {
    static let xAPIKey = Self("X-API-Key")!
    static let xRequestID = Self("X-Request-Id")!
}
