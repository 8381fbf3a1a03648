import ArgumentParser
import RegistryDocuments
import RegistryKit

struct GCCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blobs that no version references, and abandoned temporary files.",
        discussion: """
            Interrupted or refused registrations can leave blobs that nothing references (verify lists \
            them as unreferenced). gc deletes them; it waits for registrations in flight, which hold \
            off gc until their version is recorded. Versions and their blobs are never touched.

            In an OCI registry, gc deletes each blob's holder manifest and the blob; blobs stored \
            less than MREG_OCI_GC_GRACE seconds ago (default 3600) are kept, because a registration \
            on another machine may not have recorded its version yet. Where the registry does not \
            allow deletion, gc says so and deletes nothing.

            EXAMPLES
              mreg gc --dry-run
              mreg gc
            """)

    @Flag(name: .long, help: "Only report what would be deleted.")
    var dryRun = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let report = try invocation.openRegistry(global).collectGarbage(dryRun: dryRun)
        if global.json {
            Console.json(GCDocument(
                dryRun: report.dryRun, unreferencedBlobs: report.unreferencedBlobs.map(\.description), bytes: report.bytes,
                keptRecent: report.keptRecent.map(\.description), deletionRefused: report.deletionRefused,
                abandonedTemporaries: report.abandonedTemporaries))
            return
        }
        if let refusal = report.deletionRefused {
            Console.out("deleted nothing: \(report.unreferencedBlobs.count) unreferenced blob(s), \(Format.bytes(report.bytes)), stay because \(refusal)")
        } else {
            let verb = dryRun ? "would delete" : "deleted"
            Console.out("\(verb) \(report.unreferencedBlobs.count) unreferenced blob(s), \(Format.bytes(report.bytes))"
                + (dryRun ? "" : "; removed \(report.abandonedTemporaries) abandoned temporary file(s)"))
        }
        if !report.keptRecent.isEmpty {
            Console.out("kept \(report.keptRecent.count) unreferenced blob(s) younger than the grace period (MREG_OCI_GC_GRACE): registrations on other machines may still use them")
        }
    }
}
