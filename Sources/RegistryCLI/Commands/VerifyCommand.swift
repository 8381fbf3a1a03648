import ArgumentParser
import RegistryKit

struct VerifyCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash stored blobs and check each version's manifest against the database.",
        discussion: """
            With references, checks the blobs those versions use; with none (or --all), every version \
            and the whole store. Each missing or corrupt blob is reported with the versions it affects, \
            and the exit status is 5 if anything is wrong.

            EXAMPLES
              mreg verify                  # everything
              mreg verify churn@3 churn@4
            """)

    @Argument(help: ArgumentHelp("Versions to check (default: all).", valueName: "ref"))
    var references: [String] = []

    @Flag(name: .long, help: "Check every version and the whole store (the default without references).")
    var all = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all && !references.isEmpty { throw ValidationError("give references or --all, not both") }
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let report = try registry.verify(references, progress: invocation.progress(global))
        if global.json {
            Console.json(VerifyDocument(
                ok: report.isIntact, versionsChecked: report.versionsChecked, blobsChecked: report.blobsChecked,
                bytesChecked: report.bytesChecked,
                problems: report.problems.map { .init(kind: $0.kind.rawValue, digest: $0.digest?.description, detail: $0.detail, affected: $0.affected) },
                unreferencedBlobs: report.unreferencedBlobs.map(\.description)))
        } else {
            for problem in report.problems {
                Console.out("\(problem.kind.rawValue.uppercased()): \(problem.detail)")
                for owner in problem.affected { Console.out("  affects \(owner)") }
            }
            let summary = "\(report.versionsChecked) version(s), \(report.blobsChecked) blob(s), \(Format.bytes(report.bytesChecked)) re-hashed"
            Console.out(report.isIntact ? "ok: \(summary); no problems" : "FAILED: \(summary); \(report.problems.count) problem(s)")
            if !report.unreferencedBlobs.isEmpty {
                note("note: \(report.unreferencedBlobs.count) blob(s) are not referenced by any version (left by interrupted registrations); 'mreg gc' deletes them")
            }
        }
        if !report.isIntact {
            if !global.json { Console.err("error: the registry failed verification; see the problems above") }
            throw RegistryError(.integrity, "the registry failed verification with \(report.problems.count) problem(s)")
        }
    }
}
