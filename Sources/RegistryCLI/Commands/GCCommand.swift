import ArgumentParser
import RegistryKit

struct GCCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blobs that no version references, and abandoned temporary files.",
        discussion: """
            Interrupted or refused registrations can leave blobs that nothing references (verify lists \
            them as unreferenced). gc deletes them; it waits for registrations in flight, which hold \
            off gc until their version is recorded. Versions and their blobs are never touched.

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
                abandonedTemporaries: report.abandonedTemporaries))
        } else {
            let verb = dryRun ? "would delete" : "deleted"
            Console.out("\(verb) \(report.unreferencedBlobs.count) unreferenced blob(s), \(Format.bytes(report.bytes))"
                + (dryRun ? "" : "; removed \(report.abandonedTemporaries) abandoned temporary file(s)"))
        }
    }
}
