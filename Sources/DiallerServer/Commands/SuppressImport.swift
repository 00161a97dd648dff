import ArgumentParser
import DiallerStore
import Foundation

extension Suppress {
    /// `suppress import FILE --list NAME [--replace]`: streams a file of numbers onto a list.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Load a file of numbers (one a line; blank lines and # comments skipped) onto a list. Bad lines are \
                counted and named, not fatal. --replace swaps the whole list at once when the file is complete.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var list: ListOptions
        @Argument(help: "The file.") var file: String
        @Flag(help: "Replace the list with the file's numbers; intake sees the old list until the new one is complete.")
        var replace = false
        @Option(parsing: .unconditional, help: "Numbers written per transaction (each a short write lock on a live server).")
        var chunk = 10_000

        /// A read error in a few words: the system's own when Foundation carries one.
        static func describe(_ error: any Error) -> String {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(code))) }
            return "a read error"
        }

        /// Bad lines named in the report; the rest are only counted.
        static let badLinesShown = 20

        func validate() throws {
            guard (100...100_000).contains(chunk) else {
                throw ValidationError("--chunk must be a whole number from 100 to 100000, got \"\(chunk)\"")
            }
        }

        func run() async throws {
            let name = try list.listName()
            let numbers = try list.numbers()
            var lines = try LineReader(path: file)
            try await database.withStore { store in
                let target = replace ? try await store.beginReplacing(name) : try await store.beginAdding(to: name)
                let reason = "import of \((file as NSString).lastPathComponent)"
                var report = ImportReport()
                var batch: [String] = []
                batch.reserveCapacity(chunk)
                // Parsing runs while the previous chunk is being written: one chunk in flight at a time.
                var inFlight: Task<ImportChunkReport, any Error>?
                var lineNumber = 0
                let started = Date()
                var lastProgress = started
                while let line = lines.next() {
                    lineNumber += 1
                    let text = line.trimmingCharacters(in: .whitespaces)
                    if text.isEmpty || text.hasPrefix("#") { continue }
                    guard let mobile = numbers.e164(text) else {
                        report.badLine(lineNumber)
                        continue
                    }
                    batch.append(mobile)
                    guard batch.count == chunk else { continue }
                    if let inFlight { report.add(try await inFlight.value) }
                    let numbers = batch
                    inFlight = Task { try await store.importSuppressions(numbers, into: target, visible: !replace, reason: reason) }
                    batch.removeAll(keepingCapacity: true)
                    if Date().timeIntervalSince(lastProgress) >= 2 {
                        lastProgress = Date()
                        printError("… \(lineNumber) lines read, \(Int(Double(lineNumber) / lastProgress.timeIntervalSince(started))) lines/s")
                    }
                }
                if let inFlight { report.add(try await inFlight.value) }
                if let failure = lines.failure {
                    // A replacing import's rows stay out of sight; an adding one kept what it wrote.
                    throw CommandFailure(
                        "cannot read \(file) after line \(lineNumber) (\(Self.describe(failure))); "
                            + (replace ? "list \(name) is unchanged" : "\(report.added) numbers were added before it"))
                }
                if !batch.isEmpty { report.add(try await store.importSuppressions(batch, into: target, visible: !replace, reason: reason)) }
                if replace {
                    report.cancelled += try await store.finishReplacing(target)
                } else {
                    try await store.finishAdding(target)
                }
                let seconds = Date().timeIntervalSince(started)
                print(report.summary(list: name, replaced: replace, lines: lineNumber, seconds: seconds))
            }
        }
    }
}

/// What an import did, for its one-paragraph report.
struct ImportReport {
    var added = 0
    var cancelled = 0
    var bad = 0
    var badLines: [Int] = []

    mutating func add(_ chunk: ImportChunkReport) {
        added += chunk.added
        cancelled += chunk.cancelledCalls
    }

    mutating func badLine(_ number: Int) {
        bad += 1
        if badLines.count < Suppress.Import.badLinesShown { badLines.append(number) }
    }

    func summary(list: String, replaced: Bool, lines: Int, seconds: Double) -> String {
        var text =
            replaced
            ? "list \(list) replaced: \(added) numbers"
            : "list \(list): \(added) numbers added"
        text += " from \(lines) lines in \(String(format: "%.1f", seconds)) s; \(cancelled) call(s) cancelled; \(bad) bad line(s)"
        if !badLines.isEmpty {
            text += " (line \(badLines.map(String.init).joined(separator: ", "))\(bad > badLines.count ? ", …" : ""))"
        }
        return text
    }
}
