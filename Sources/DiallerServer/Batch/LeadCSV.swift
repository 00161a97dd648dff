import CSV
import Foundation
import LeadIntake

/// A `/lead/batch` sent as `text/csv` (RFC 4180, through yaslab/CSV.swift): a header row of
/// `/lead/add`'s field names, then one lead a row. A UTF-8 byte order mark (which spreadsheets
/// write) is skipped and CRLF or LF ends a row. Every cell is a string, as a form would send it;
/// an empty cell is an absent field. Each row's lead keeps the row as a JSON object for its request.
enum LeadCSV {
    /// Each row as the object `/lead/add` would have been sent, at most one past the batch limit
    /// (enough to refuse the batch).
    static func objects(_ bytes: [UInt8]) throws -> [(object: JSONObject?, raw: String)] {
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: InputStream(data: Data(bytes)), hasHeaderRow: true)
        } catch {
            throw APIError.malformedBody("The CSV has no header row.")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        var objects: [(object: JSONObject?, raw: String)] = []
        while objects.count <= LeadBatch.maxItems, let row = reader.next() {
            if row.allSatisfy(\.isEmpty) { continue }  // a blank line, such as a file's last
            let members = zip(header, row).compactMap { name, value -> (name: String, value: JSONValue)? in
                value.isEmpty ? nil : (name, .string(value))
            }
            let object = JSONObject(members)
            objects.append((object, JSONWriter.compact(.object(object))))
        }
        if reader.error != nil { throw APIError.malformedBody("The CSV is not valid UTF-8.") }
        return objects
    }
}
