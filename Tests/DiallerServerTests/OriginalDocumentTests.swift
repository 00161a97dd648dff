import Foundation
import Hummingbird
import Testing

@testable import DiallerServer

/// The curl examples of partner-api-original.txt: as printed they are broken JSON and must get a
/// located 400; corrected, they must work.
@Suite struct OriginalDocumentTests {
    /// The add example exactly as printed (the e-mail is a real address instead of the document's obfuscated one).
    static let printedAdd = """
        {
        "first_name":"John",
        "surname":"Doe",
        "mobile":"07840258823",
        "email":"john.doe@example.com",
        "type":"motor-trade",
        "subtype":"valeter",
        "delays":600,
        "data": "{\\\\"vehicle_make\\\\":\\\\"Ford\\\\",\\\\"addresss\\\\":\\\\"123 Greenacre Road\\\\"}"
        }
        """

    static let printedTest = """
        {
        "first_name":"John",
        "surname":"Doe",
        "mobile":"07840258823",
        "email":"john.doe@example.com",
        "type":"motor-trade",
        "data": "{\\\\"vehicle_make\\\\":\\\\"Ford\\\\",\\\\"addresss\\\\":\\\\"123 Greenacre Road\\\\"}"
        "test": true
        }
        """

    static let printedCancel = """
        {
        "mobile":"07840258823",
        "type":"motor-trade",
        }
        """

    @Test func printedExamplesGetLocatedErrors() async throws {
        try await withServer { (server: TestServer) async throws in
            let add = try await server.post("/lead/add", Self.printedAdd)
            #expect(add.status == .badRequest)
            #expect(add.body == #"{"body":{"0":"Syntax error at line 9, column 14: unexpected 'v'; expected ',' or '}' after an object member."}}"#)
            let test = try await server.post("/lead/add", Self.printedTest)
            #expect(test.body == #"{"body":{"0":"Syntax error at line 7, column 14: unexpected 'v'; expected ',' or '}' after an object member."}}"#)
            // With the backslashes mended, the missing comma is the next thing reported.
            let stillNoComma = Self.printedTest.replacingOccurrences(of: "\\\\", with: "\\")
            #expect(
                try await server.post("/lead/add", stillNoComma).body
                    == #"{"body":{"0":"Syntax error at line 8, column 1: unexpected '\"'; expected ',' or '}' after an object member."}}"#)
            let cancel = try await server.post("/lead/cancel", Self.printedCancel)
            #expect(cancel.status == .badRequest)
            #expect(cancel.body == #"{"body":{"0":"Syntax error at line 4, column 1: unexpected '}'; expected a member name in double quotes."}}"#)
            #expect(try await server.scalar("SELECT count(*) FROM leads") == "0")
        }
    }

    @Test func correctedExamplesWork() async throws {
        try await withServer { (server: TestServer) async throws in
            let correctedAdd = Self.printedAdd.replacingOccurrences(of: "\\\\", with: "\\")
            let correctedTest = Self.printedTest.replacingOccurrences(of: "\\\\", with: "\\")
                .replacingOccurrences(of: "}\"\n\"test\"", with: "}\",\n\"test\"")
            let correctedCancel = Self.printedCancel.replacingOccurrences(of: "\"motor-trade\",\n}", with: "\"motor-trade\"\n}")
            #expect(try await server.post("/lead/add", correctedTest).body == #"{"test":"ok"}"#)
            #expect(try await server.post("/lead/add", correctedAdd).body == #"{"saved":true,"processed":true}"#)
            #expect(try await server.scalar("SELECT data FROM leads") == #"{"vehicle_make":"Ford","addresss":"123 Greenacre Road"}"#)
            #expect(try await server.post("/lead/cancel", correctedCancel).body == #"{"cancelled":true}"#)
        }
    }

    @Test(arguments: [
        ("", "Syntax error at line 1, column 1: the body is empty; expected a JSON object."),
        ("[1,2]", "Syntax error at line 1, column 1: the body must be a JSON object, not another kind of value."),
        ("  \n \"text\"", "Syntax error at line 2, column 2: the body must be a JSON object, not another kind of value."),
        ("{\"a\":1} trailing", "Syntax error at line 1, column 9: unexpected 't' after the end of the JSON value."),
        ("{\"a\":\"\\ud800\"}", "Syntax error at line 1, column 7: lone surrogate \\\\ud800 in a string."),
        ("{\"a\":\"x\u{01}\"}", "Syntax error at line 1, column 8: control character in a string; escape it as \\\\u0001."),
        ("{\"a\":01}", "Syntax error at line 1, column 7: unexpected '1'; expected ',' or '}' after an object member."),
        ("{'a':1}", "Syntax error at line 1, column 2: unexpected '''; expected a member name in double quotes."),
        ("{\"é\":tru}", "Syntax error at line 1, column 6: unexpected 't'; expected a value."),
        (String(repeating: "[", count: 70), "Syntax error at line 1, column 1: the body must be a JSON object, not another kind of value."),
        ("{\"a\":" + String(repeating: "[", count: 70), "Syntax error at line 1, column 69: nesting is deeper than 64 levels."),
    ])
    func malformedBodiesAreLocated(body: String, message: String) async throws {
        try await withServer { (server: TestServer) async throws in
            let reply = try await server.post("/lead/add", body)
            #expect(reply.status == .badRequest)
            #expect(reply.body == #"{"body":{"0":"\#(message)"}}"#)
        }
    }

    @Test func invalidUTF8IsRejectedWithItsPlace() async throws {
        try await withServer { (server: TestServer) async throws in
            var bytes = Array(#"{"first_name":"Jo"#.utf8)
            bytes += [0xC3, 0x28]
            bytes += Array(#""}"#.utf8)
            let response = try await server.client.execute(
                uri: "/lead/add?key=\(server.partnerKey)", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(bytes: bytes))
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body) == #"{"body":{"0":"Syntax error at line 1, column 16: invalid UTF-8 in a string."}}"#)
        }
    }
}
