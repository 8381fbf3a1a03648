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
              mreg verify --all --sample 5% --seed "$(date +%j)"   # nightly: 20 nights re-hash everything
              mreg verify --all --sample 50GiB

            SAMPLING
              --sample re-hashes a seeded subset of the blobs; every other blob is still checked to \
            exist with its recorded size, and manifests, records, signatures and the ledger are \
            checked in full. With a share (5%), seeds 0 to 19 re-hash disjoint twentieths that \
            together cover the store: a nightly job passing the day of the year checks everything \
            every 20 days. With a size, blobs are taken from a seeded place on the store until the \
            budget is spent. Without --seed a random one is used and printed.
            """)

    @Argument(help: ArgumentHelp("Versions to check (default: all).", valueName: "ref"))
    var references: [String] = []

    @Flag(name: .long, help: "Check every version and the whole store (the default without references).")
    var all = false

    @Option(name: .customLong("expect-head"), help: ArgumentHelp("A ledger head digest recorded earlier ('mreg history' prints it): it must still be in the ledger, which catches cut-off newest events.", valueName: "digest"))
    var expectHead: String?

    @Option(name: .long, help: ArgumentHelp("Re-hash only a share (5%) or a byte budget (2GiB) of the blobs; the rest are checked for presence and size.", valueName: "share|size"))
    var sample: String?

    @Option(name: .long, help: ArgumentHelp("Which subset --sample re-hashes (default: random, printed).", valueName: "n"))
    var seed: UInt64?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let sample, BlobSample.amount(sample) == nil {
            throw ValidationError("--sample '\(sample)' is neither a share (5%, up to 100%) nor a size (2GiB, 512MiB or a number of bytes)")
        }
        if seed != nil && sample == nil { throw ValidationError("--seed chooses what --sample re-hashes: give --sample too") }
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
            unreferencedBlobs: report.unreferencedBlobs.map(\.description),
            sample: report.sample.map { sampled in
                let (percent, bytes): (Double?, Int64?) = switch sampled.sample.amount {
                case .fraction(let width): (width * 100, nil)
                case .bytes(let budget): (nil, budget)
                }
                return VerifyDocument.Sample(percent: percent, bytes: bytes, seed: sampled.sample.seed, blobsRehashed: sampled.blobsRehashed)
            })
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
        let blobSample = sample.flatMap(BlobSample.amount).map { BlobSample(amount: $0, seed: seed ?? UInt64.random(in: 0...999_999)) }
        let report = try registry.verify(references, expectedHead: head, sample: blobSample, progress: invocation.progress(global))
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
            if let sampled = report.sample {
                Console.out("sampled: \(sampled.blobsRehashed) of \(report.blobsChecked) blob(s) re-hashed (\(sampled.sample.description), seed \(sampled.sample.seed)); the others checked for presence and size")
            }
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
