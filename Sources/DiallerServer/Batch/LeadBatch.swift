import DiallerStore
import LeadIntake

/// A `/lead/batch` body read into its items, each decided as `/lead/add` would decide it alone.
struct LeadBatch {
    static let maxItems = 1_000

    /// What one item came to before the store: a lead to save, or the answer `/lead/add` would give.
    enum Item {
        case lead(NewLead)
        case answered(status: Int, body: String)
    }

    let items: [Item]

    /// The leads to save, in the batch's order.
    var leads: [NewLead] {
        items.compactMap { if case .lead(let lead) = $0 { lead } else { nil } }
    }

    /// Validates every object in order; `raw` is the text each item's lead keeps as its request.
    init(
        objects: [(object: JSONObject?, raw: String)], numbers: PhoneNumbers, now: Timestamp,
        onInvalid: (ValidationErrors) -> Void
    ) {
        items = objects.map { entry in
            guard let object = entry.object else {
                return .answered(status: 400, body: APIResponse.bodyErrorJSON("The lead must be a JSON object, not another kind of value."))
            }
            switch LeadRequest.validate(object, rawBody: entry.raw, numbers: numbers, now: now) {
            case .success(let validated):
                return validated.isTest ? .answered(status: 200, body: #"{"test":"ok"}"#) : .lead(validated.lead)
            case .failure(let errors):
                onInvalid(errors)
                return .answered(status: 400, body: errors.json)
            }
        }
    }

    /// `{"results":[{"index":0,"status":200,"lead_id":41,"body":{…}},…]}`, with `saved` the
    /// store's answers for `leads`, in the same order; a lead refused for its consent is a `400`.
    func resultsJSON(saved: [LeadSubmission]) -> String {
        var output = #"{"results":["#
        output.reserveCapacity(items.count * 80)
        var next = saved.makeIterator()
        for (index, item) in items.enumerated() {
            if index > 0 { output += "," }
            output += #"{"index":\#(index),"#
            switch item {
            case .lead:
                switch next.next()! {
                case .success(let lead):
                    output += #""status":200,"lead_id":\#(lead.leadID),"body":"# + LeadRoutes.body(for: lead.outcome)
                case .failure(let refusal):
                    output += #""status":400,"body":"# + LeadRoutes.errors(for: refusal).json
                }
            case .answered(let status, let body):
                output += #""status":\#(status),"body":"# + body
            }
            output += "}"
        }
        return output + "]}"
    }
}
