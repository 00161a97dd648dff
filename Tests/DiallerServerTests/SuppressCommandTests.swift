import DiallerStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `dialler-server suppress …` as an administrator runs it: the real binary, `--db` alone, from a
/// directory without the source tree.
@Suite struct SuppressCommandTests {
    func withDatabase(_ body: (_ folder: String, _ db: String) throws -> Void) async throws {
        try await withTemporaryDirectory { folder in
            let db = folder + "/dialler.sqlite"
            #expect(try DiallerBinary.run(["migrate", "--db", db], in: folder).status == 0)
            try body(folder, db)
        }
    }

    @Test func addCheckListsAndRemove() async throws {
        try await withDatabase { folder, db in
            let added = try DiallerBinary.run(["suppress", "add", "07840 258823", "--reason", "asked on 1 Dec", "--db", db], in: folder)
            #expect(added.out == "+447840258823 added to list internal; 0 call(s) cancelled\n", "\(added.err)")
            #expect(
                try DiallerBinary.run(["suppress", "add", "+447840258823", "--db", db], in: folder).out
                    == "+447840258823 was already on list internal; 0 call(s) cancelled\n")
            let checked = try DiallerBinary.run(["suppress", "check", "07840258823", "--db", db], in: folder)
            #expect(checked.out.hasPrefix("+447840258823\tinternal\tsince 20") && checked.out.hasSuffix("\tasked on 1 Dec\n"))
            #expect(
                try DiallerBinary.run(["suppress", "lists", "--db", db], in: folder).out
                    == "list\tnumbers\tloaded_at\tconsent_overrides\ninternal\t1\t-\toff\n")
            #expect(
                try DiallerBinary.run(["suppress", "remove", "07840258823", "--db", db], in: folder).out
                    == "+447840258823 removed from list internal\n")
            #expect(try DiallerBinary.run(["suppress", "check", "07840258823", "--db", db], in: folder).out == "+447840258823 is on no list\n")
        }
    }

    @Test(arguments: [
        (["suppress", "add", "0800 FLOWERS"], "Error: \"0800 FLOWERS\" is not a valid phone number (region GB)"),
        (["suppress", "add", "07840258823", "--list", "TPS"], "Error: --list must be lower-case letters, digits, - and _ (like tps), got \"TPS\""),
        (["suppress", "remove", "07840258823", "--list", "tps"], "Error: +447840258823 is not on list tps"),
        (["suppress", "import", "/no/such/file", "--list", "tps"], "Error: cannot read /no/such/file: no such file, or it cannot be read"),
        (["suppress", "import", "/tmp", "--list", "tps", "--replace"], "Error: cannot read /tmp: it is a folder, not a file"),
        (["suppress", "check", "07840258823", "--region", "uk"], "Error: --region must be two capital letters, like GB, got \"uk\""),
    ])
    func mistakesAreOneLine(arguments: [String], message: String) async throws {
        try await withDatabase { folder, db in
            let result = try DiallerBinary.run(arguments + ["--db", db], in: folder)
            #expect(result.status != 0)
            #expect(result.err == message + "\n")
            #expect(try scalar(db, "SELECT count(*) FROM suppressions") == "0")
        }
    }

    @Test func consentOverridesIsSetOnTPSAndRefusedForTheInternalList() async throws {
        try await withDatabase { folder, db in
            _ = try DiallerBinary.run(["suppress", "add", "07840 258823", "--list", "tps", "--db", db], in: folder)
            let on = try DiallerBinary.run(["suppress", "lists", "--consent-overrides", "tps", "on", "--db", db], in: folder)
            #expect(
                on.out == "list tps: a lead's recorded consent now overrides it\nlist\tnumbers\tloaded_at\tconsent_overrides\n"
                    + "internal\t0\t-\toff\ntps\t1\t-\ton\n", "\(on.err)")
            for (arguments, message) in [
                (["internal", "on"], "Error: list internal holds opt-outs and Do Not Call results: consent never overrides it"),
                (["mps", "on"], "Error: there is no list mps"),
                (["tps", "yes"], #"Error: --consent-overrides takes a list and on or off (like tps on), got "tps yes""#),
                (["tps"], #"Error: --consent-overrides takes a list and on or off (like tps on), got "tps""#),
            ] {
                let result = try DiallerBinary.run(["suppress", "lists", "--consent-overrides"] + arguments + ["--db", db], in: folder)
                #expect(result.status != 0 && result.err == message + "\n", "\(arguments)")
            }
            #expect(try scalar(db, "SELECT group_concat(name || ' ' || consent_overrides) FROM suppression_lists") == "internal 0,tps 1")
            let off = try DiallerBinary.run(["suppress", "lists", "--consent-overrides", "tps", "off", "--db", db], in: folder)
            #expect(off.out.hasPrefix("list tps: consent no longer overrides it\n"))
            #expect(try scalar(db, "SELECT consent_overrides FROM suppression_lists WHERE name = 'tps'") == "0")
        }
    }

    @Test func anImportSkipsCommentsNamesBadLinesAndCancelsOpenCalls() async throws {
        try await withDatabase { folder, db in
            do {
                let store = try Store(StoreConfiguration(path: db, migrationsDirectory: nil))
                defer { store.close() }
                let semaphore = DispatchSemaphore(value: 0)
                Task {
                    try await store.writer.write { try $0.execute(script: "INSERT INTO lead_types(name) VALUES ('motor-trade')") }
                    let partner = try store.authenticate(key: try await store.createKey(role: .partner, name: "acme").key)!
                    _ = try await store.submitLead(
                        NewLead(
                            type: "motor-trade", firstName: "A", surname: "B", email: "a@b.co",
                            mobile: "+447911100002", rawRequest: "{}"), from: partner)
                    semaphore.signal()
                }
                semaphore.wait()
            }
            let file = folder + "/tps.txt"
            try "# TPS extract\r\n07911 100001\r\n\r\nnot a number\r\n+44 7911 100002\r\n07911100001\r\n12\r\n+447911100003".write(
                toFile: file, atomically: true, encoding: .utf8)
            let result = try DiallerBinary.run(["suppress", "import", file, "--list", "tps", "--db", db], in: "/")
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out.hasPrefix("list tps: 3 numbers added from 8 lines in "))
            #expect(result.out.hasSuffix("; 1 call(s) cancelled; 2 bad line(s) (line 4, 7)\n"))
            #expect(try scalar(db, "SELECT numbers || ' ' || (loaded_at IS NOT NULL) FROM suppression_lists_report WHERE list = 'tps'") == "3 1")
            #expect(try scalar(db, "SELECT state || ' ' || outcome FROM calls") == "cancelled suppressed")
        }
    }

    @Test func aKilledReplacingImportLeavesTheOldListAndTheNextOneReplacesIt() async throws {
        try await withDatabase { folder, db in
            let old = folder + "/old.txt"
            let new = folder + "/new.txt"
            try "07911100001\n07911100002\n".write(toFile: old, atomically: true, encoding: .utf8)
            #expect(try DiallerBinary.run(["suppress", "import", old, "--list", "tps", "--db", db]).status == 0)
            // 300,000 numbers, none of them the old ones, imported 1,000 to a transaction.
            let lines = (0..<300_000).map { String(format: "+447840%06d\n", $0) }
            try lines.joined().write(toFile: new, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = DiallerBinary.url
            process.arguments = ["suppress", "import", new, "--list", "tps", "--replace", "--chunk", "1000", "--db", db]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Kill it once some of the new generation is written, well before the end.
            var hidden = 0
            for _ in 0..<600 where hidden < 5_000 {
                usleep(10_000)
                hidden = Int(try scalar(db, "SELECT count(*) FROM suppressions") ?? "0")! - 2
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(hidden >= 5_000)
            #expect(try scalar(db, "SELECT group_concat(mobile, ' ') FROM suppressions_report") == "+447911100001 +447911100002")
            #expect(try scalar(db, "SELECT numbers FROM suppression_lists_report WHERE list = 'tps'") == "2")
            #expect(try scalar(db, "PRAGMA integrity_check") == "ok")

            try "07911100003\n".write(toFile: new, atomically: true, encoding: .utf8)
            let replaced = try DiallerBinary.run(["suppress", "import", new, "--list", "tps", "--replace", "--db", db])
            #expect(replaced.out.hasPrefix("list tps replaced: 1 numbers from 1 lines"), "\(replaced.err)")
            #expect(try scalar(db, "SELECT group_concat(mobile, ' ') FROM suppressions_report") == "+447911100003")
            #expect(try scalar(db, "SELECT count(*) FROM suppressions") == "1")
        }
    }

    @Test func eraseBlanksThePersonAndKeepsTheNumberListed() async throws {
        try await withDatabase { folder, db in
            #expect(try DiallerBinary.run(["suppress", "add", "07840258823", "--list", "tps", "--db", db], in: folder).status == 0)
            let erased = try DiallerBinary.run(["erase", "07840 258823", "--db", db], in: "/")
            #expect(erased.out == "+447840258823 has no leads; kept on do-not-call list(s) tps so that it is never called again\n", "\(erased.err)")
            let dropped = try DiallerBinary.run(["erase", "07840258823", "--no-keep-suppression", "--db", db], in: "/")
            #expect(dropped.out == "+447840258823 has no leads; removed from 1 suppression list(s); the number is on no do-not-call list\n")
            #expect(try scalar(db, "SELECT count(*) FROM suppressions") == "0")
            let bad = try DiallerBinary.run(["erase", "nobody", "--db", db], in: "/")
            #expect(bad.status != 0 && bad.err == "Error: \"nobody\" is not a valid phone number (region GB)\n")
        }
    }
}
