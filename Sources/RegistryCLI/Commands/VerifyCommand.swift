import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct VerifyCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash stored blobs, check manifests, signatures and the history's hash chain.",
        discussion: """
            With references, checks those versions: their blobs are re-hashed, every database row of \
            each version rebuilds its stored manifest (a difference names the field), its \
            registration, evaluations and signatures match the documents their ledger events \
            committed to, and its signatures verify. With none (or --all), every version, every \
            dataset record, the whole store and the ledger's hash chain (which names the first event \
            altered, removed or reordered outside mreg); the ledger head is printed last: keep it \
            elsewhere and pass it to --expect-head later. Each problem is reported with what it \
            affects, and the exit status is 5 if anything is wrong.

            EXAMPLES
              mreg verify                  # everything
              mreg verify churn@3 churn@4
              mreg verify --expect-head sha256:9761eec6a409…   # a head digest kept from 'mreg history' 
            """)

    @Argument(help: ArgumentHelp("Versions to check (default: all).", valueName: "ref"))
    var references: [String] = []

    @Flag(name: .long, help: "Check every version and the whole store (the default without references).")
    var all = false

    @Option(name: .customLong("expect-head"), help: ArgumentHelp("A ledger head digest recorded earlier ('mreg history' prints it): it must still be in the ledger, which catches cut-off newest events.", valueName: "digest"))
    var expectHead: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all && !references.isEmpty { throw ValidationError("give references or --all, not both") }
        if expectHead != nil && !references.isEmpty { throw ValidationError("--expect-head checks the whole registry; give no references") }
    }

    /// What `verify --json` prints, and `mreg serve` answers on `/v1/verify`.
    static func document(_ report: VerifyReport) -> VerifyDocument {
        VerifyDocument(
            ok: report.isIntact, versionsChecked: report.versionsChecked, blobsChecked: report.blobsChecked,
            bytesChecked: report.bytesChecked, signaturesChecked: report.signaturesChecked, eventsChecked: report.eventsChecked,
            recordsChecked: report.recordsChecked, head: report.head.map { HeadDocument(sequence: $0.sequence, digest: $0.digest.description) },
            problems: report.problems.map { .init(kind: $0.kind.rawValue, digest: $0.digest?.description, detail: $0.detail, affected: $0.affected) },
            unreferencedBlobs: report.unreferencedBlobs.map(\.description))
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        var head: Digest?
        if let expectHead {
            guard let digest = Digest(parsing: expectHead) else {
                throw RegistryError(.usage, "--expect-head '\(expectHead)' is not a digest", hint: "copy it from 'mreg history': sha256: and 64 hex digits")
            }
            head = digest
        }
        let report = try registry.verify(references, expectedHead: head, progress: invocation.progress(global))
        if global.json {
            Console.json(Self.document(report))
        } else {
            for problem in report.problems {
                Console.out("\(problem.kind.rawValue.uppercased()): \(problem.detail)")
                for owner in problem.affected { Console.out("  affects \(owner)") }
            }
            let summary = summary(report)
            // A failure's one summary line is the error line on stderr.
            if report.isIntact { Console.out("ok: \(summary); no problems") }
            if let head = report.head { Console.out("ledger head: #\(head.sequence) \(head.digest)") }
            if !report.unreferencedBlobs.isEmpty {
                note("note: \(report.unreferencedBlobs.count) blob(s) are not referenced by any version (left by interrupted registrations); 'mreg gc' deletes them")
            }
        }
        if !report.isIntact {
            var error = RegistryError(
                .integrity, "verification FAILED with \(report.problems.count) problem(s) (\(summary(report)))", hint: "see the problems above")
            error.documentPrinted = true
            throw error
        }
    }

    /// What was checked, in one phrase.
    private func summary(_ report: VerifyReport) -> String {
        var summary = "\(report.versionsChecked) version(s), \(report.blobsChecked) blob(s), \(Format.bytes(report.bytesChecked)) re-hashed"
        if report.signaturesChecked > 0 { summary += ", \(report.signaturesChecked) signature(s)" }
        if report.eventsChecked > 0 { summary += ", \(report.eventsChecked) ledger event(s)" }
        if report.recordsChecked > 0 { summary += ", \(report.recordsChecked) record(s) rebuilt" }
        return summary
    }
}
