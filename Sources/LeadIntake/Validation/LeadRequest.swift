import DiallerStore

/// A validated `/lead/add` body.
public struct LeadRequest {
    public let lead: NewLead
    /// Validate only; write nothing.
    public let isTest: Bool

    static let maxDelay = 31_536_000

    /// Checks every field of the contract, reporting all failures at once; `now` is the server's
    /// clock, which a consent's `given_at` may not be ahead of.
    public static func validate(
        _ object: JSONObject, rawBody: String, numbers: PhoneNumbers,
        now: Timestamp
    ) -> Result<LeadRequest, ValidationErrors> {
        var reader = FieldReader(object)
        let email = reader.email("email", label: "Email")
        let firstName = reader.string("first_name", label: "First Name", required: true, maxLength: 100)
        let surname = reader.string("surname", label: "Surname", required: true, maxLength: 100)
        let mobile = reader.parsedPhone("mobile", label: "Mobile", required: true, numbers: numbers)
        let type = reader.string("type", label: "Type", required: true)
        let subtype = reader.string("subtype", label: "Subtype", required: false, maxLength: 100)
        let otherPhone = reader.parsedPhone("other_phone", label: "Other Phone", required: false, numbers: numbers)
        let data = reader.dataObject("data")
        let delays = reader.integer("delays", label: "Delays", range: 0...maxDelay)
        let isTest = reader.testFlag("test", label: "Test")
        let consent = reader.consent("consent", now: now)
        guard reader.errors.isEmpty, let email, let firstName, let surname, let mobile, let type else {
            return .failure(reader.errors)
        }
        let lead = NewLead(
            type: type, subtype: subtype, firstName: firstName, surname: surname, email: email,
            mobile: mobile.e164, mobileLineType: mobile.lineType, otherPhone: otherPhone?.e164,
            otherPhoneLineType: otherPhone?.lineType, data: data, delays: delays, rawRequest: rawBody,
            consent: consent)
        return .success(LeadRequest(lead: lead, isTest: isTest))
    }
}

/// A validated `/lead/cancel` body.
public struct CancelRequest {
    public let type: String
    public let mobile: String

    public static func validate(_ object: JSONObject, numbers: PhoneNumbers) -> Result<CancelRequest, ValidationErrors> {
        var reader = FieldReader(object)
        let mobile = reader.phone("mobile", label: "Mobile", required: true, numbers: numbers)
        let type = reader.string("type", label: "Type", required: true)
        guard reader.errors.isEmpty, let mobile, let type else { return .failure(reader.errors) }
        return .success(CancelRequest(type: type, mobile: mobile))
    }
}
