/// What kind of line a number is, as libphonenumber classifies it offline from the numbering plan;
/// the raw values are those stored in `contacts.line_type` and listed in `lead_types.line_types`.
public enum LineType: String, Sendable, CaseIterable {
    case fixedLine = "fixed_line"
    case mobile
    /// Where the plan cannot tell the two apart (the USA, for one).
    case fixedLineOrMobile = "fixed_line_or_mobile"
    case tollFree = "toll_free"
    case premiumRate = "premium_rate"
    case sharedCost = "shared_cost"
    case voip
    /// A number that follows a person from line to line (UK 070).
    case personalNumber = "personal_number"
    case pager
    /// A "universal access number", one number for a company's several sites.
    case uan
    case voicemail
    case unknown

    /// The type for libphonenumber's `PhoneNumberType` value (`dialler_line_type`); `unknown` for any other.
    public init(libphonenumberValue value: Int) {
        self = Self.inLibraryOrder.indices.contains(value) ? Self.inLibraryOrder[value] : .unknown
    }

    /// The cases in the order of libphonenumber's `PhoneNumberType`.
    private static let inLibraryOrder: [LineType] = [
        .fixedLine, .mobile, .fixedLineOrMobile, .tollFree, .premiumRate, .sharedCost, .voip, .personalNumber, .pager,
        .uan, .voicemail, .unknown,
    ]
}
