import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

@Suite struct ValidationMessageTests {
    static let longName = String(repeating: "é", count: 101)

    /// Every message of the contract's field table, one body each.
    @Test(arguments: [
        (
            #"{}"#,
            #"{"email":{"0":"Email cannot be blank."},"first_name":{"0":"First Name cannot be blank."},"surname":{"0":"Surname cannot be blank."},"mobile":{"0":"Mobile cannot be blank."},"type":{"0":"Type cannot be blank."}}"#
        ),
        (leadBody().replacingOccurrences(of: "john.doe@example.com", with: "   "), #"{"email":{"0":"Email cannot be blank."}}"#),
        (
            leadBody().replacingOccurrences(of: "john.doe@example.com", with: "john@localhost"),
            #"{"email":{"0":"Email is not a valid email address."}}"#
        ),
        (
            leadBody().replacingOccurrences(of: "john.doe@example.com", with: "john..doe@example.com"),
            #"{"email":{"0":"Email is not a valid email address."}}"#
        ),
        (
            leadBody().replacingOccurrences(of: #""John""#, with: "\"\(longName)\""),
            #"{"first_name":{"0":"First Name should contain at most 100 characters."}}"#
        ),
        (
            leadBody().replacingOccurrences(of: #""Doe""#, with: "\"\(longName)\""),
            #"{"surname":{"0":"Surname should contain at most 100 characters."}}"#
        ),
        (leadBody().replacingOccurrences(of: #""Doe""#, with: "null"), #"{"surname":{"0":"Surname cannot be blank."}}"#),
        (leadBody(mobile: ""), #"{"mobile":{"0":"Mobile cannot be blank."}}"#),
        (leadBody(mobile: "0800 FLOWERS"), #"{"mobile":{"0":"Mobile is not a valid phone number."}}"#),
        (leadBody(mobile: "07840 25882"), #"{"mobile":{"0":"Mobile is not a valid phone number."}}"#),
        (leadBody(type: " "), #"{"type":{"0":"Type cannot be blank."}}"#),
        (leadBody(extra: #","subtype":"\#(longName)""#), #"{"subtype":{"0":"Subtype should contain at most 100 characters."}}"#),
        (leadBody(extra: #","other_phone":"12345""#), #"{"other_phone":{"0":"Other Phone is not a valid phone number."}}"#),
        (leadBody(extra: #","data":"{\"unclosed\":""#), #"{"data":{"0":"Empty or invalid content of `data` field"}}"#),
        (leadBody(extra: #","data":"[1,2]""#), #"{"data":{"0":"Empty or invalid content of `data` field"}}"#),
        (leadBody(extra: #","data":{}"#), #"{"data":{"0":"Empty or invalid content of `data` field"}}"#),
        (leadBody(extra: #","data":42"#), #"{"data":{"0":"Empty or invalid content of `data` field"}}"#),
        (leadBody(extra: #","delays":"soon""#), #"{"delays":{"0":"Delays must be an integer."}}"#),
        (leadBody(extra: #","delays":1.5"#), #"{"delays":{"0":"Delays must be an integer."}}"#),
        (leadBody(extra: #","delays":-1"#), #"{"delays":{"0":"Delays must be no less than 0."}}"#),
        (leadBody(extra: #","delays":31536001"#), #"{"delays":{"0":"Delays must be no greater than 31536000."}}"#),
        (leadBody(extra: #","delays":99999999999999999999999"#), #"{"delays":{"0":"Delays must be no greater than 31536000."}}"#),
        (leadBody(extra: #","test":false"#), #"{"test":{"0":"Test must be \"true\" or absent."}}"#),
        (leadBody(extra: #","test":"yes""#), #"{"test":{"0":"Test must be \"true\" or absent."}}"#),
    ])
    func eachRuleHasItsMessage(body: String, expected: String) async throws {
        try await withServer { (server: TestServer) async throws in
            let reply = try await server.post("/lead/add", body)
            #expect(reply.status == .badRequest)
            #expect(reply.body == expected)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
        }
    }

    @Test func everyFailingFieldIsReportedAtOnce() async throws {
        try await withServer { (server: TestServer) async throws in
            let body =
                #"{"email":"not-an-email","first_name":"\#(Self.longName)","surname":123,"mobile":"0800 FLOWERS","type":["x"],"subtype":"\#(Self.longName)","other_phone":"12","data":"[1]","delays":"1.5","test":"yes"}"#
            let reply = try await server.post("/lead/add", body)
            #expect(reply.status == .badRequest)
            #expect(
                reply.body
                    == #"{"email":{"0":"Email is not a valid email address."},"first_name":{"0":"First Name should contain at most 100 characters."},"surname":{"0":"Surname must be a string."},"mobile":{"0":"Mobile is not a valid phone number."},"type":{"0":"Type must be a string."},"subtype":{"0":"Subtype should contain at most 100 characters."},"other_phone":{"0":"Other Phone is not a valid phone number."},"data":{"0":"Empty or invalid content of `data` field"},"delays":{"0":"Delays must be an integer."},"test":{"0":"Test must be \"true\" or absent."}}"#
            )
        }
    }

    @Test(arguments: [
        (leadBody(extra: #","delays":"600""#), "2026-11-25T10:10:00Z"),
        (leadBody(extra: #","delays":31536000"#), "2027-11-25T10:00:00Z"),
        (leadBody(extra: #","delays":0"#), "2026-11-25T10:00:00Z"),
        (leadBody(extra: #","delays":null,"subtype":"","other_phone":" ","data":"","test":null"#), "2026-11-25T10:00:00Z"),
    ])
    func acceptedEdgeValues(body: String, due: String) async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(try await server.post("/lead/add", body).body == #"{"saved":true,"processed":true}"#)
            #expect(try await server.scalar("SELECT due_at FROM calls_report") == due)
        }
    }
}
