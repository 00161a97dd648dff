import Foundation
import HTTPTypes
import Hummingbird
import LeadIntake

extension Request {
    /// The body as bytes, refusing more than `limit` bytes with a 413.
    func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = headers.value(of: .contentLength).flatMap(Int.init), length > limit {
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
        if let query = uri.query, let key = Self.firstParameter(named: "key", in: query), !key.isEmpty { return key }
        if let key = headers.value(of: .xAPIKey), !key.isEmpty { return key }
        if let authorization = headers.value(of: .authorization) {
            let prefix = "bearer "
            if authorization.count > prefix.count, authorization.prefix(prefix.count).lowercased() == prefix {
                return String(authorization.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The first `name=value` of a query string, percent-decoded (the raw text when that fails), as
    /// `uri.queryParameters.get(name)` answers, without building a dictionary of every parameter.
    static func firstParameter(named name: String, in query: String) -> String? {
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            guard pair[..<equals].elementsEqual(name.utf8) else { continue }
            guard equals < pair.endIndex else { return "" }
            let value = Substring(pair[pair.index(after: equals)...])
            return value.utf8.contains(UInt8(ascii: "%")) ? (value.removingPercentEncoding ?? String(value)) : String(value)
        }
        return nil
    }
}

extension HTTPFields {
    /// The field's value; several fields of one name are joined with ", " as the subscript does,
    /// which builds that joined string through generic code on every lookup, even for one field.
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}

extension HTTPField.Name {
    static let xAPIKey = Self("X-API-Key")!
    static let xRequestID = Self("X-Request-Id")!
    /// The saved lead's `lead_id` on every `/lead/add` answer that saved one.
    static let xLeadID = Self("X-Lead-Id")!
}
