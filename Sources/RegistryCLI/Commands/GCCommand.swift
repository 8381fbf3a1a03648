import ArgumentParser
import RegistryDocuments
import RegistryKit

struct GCCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blobs that no version references, and abandoned temporary files.",
        discussion: """
            Deleted versions leave files that nothing else references, and interrupted or refused \
            registrations leave blobs (verify lists them as unreferenced). gc deletes them, a page at \
            a time, while other commands go on, on this machine or any other: each page is recorded in \
            the registry's collection log, checked again, before a blob is removed, and a command that \
            was about to reference one of them stores it again. Live versions, their manifests and \
            every recorded document are never touched.

            Temporary files whose writer is gone are removed too: all of them when no other command \
            is running on this machine, else those older than 2 seconds.

            In an OCI registry, gc deletes each blob's holder manifest and the blob; blobs stored \
            less than MREG_OCI_GC_GRACE seconds ago (default 3600) are kept, so that a slow upload \
            is not stored twice. Where the registry does not allow deletion, gc says so and deletes \
            nothing. A gc stopped midway (killed) leaves recorded collections that the next gc \
            finishes once they are MREG_GC_STOPPED_AFTER seconds old (default 600).

            EXAMPLES
              mreg gc --dry-run
              mreg gc
            """)

    @Flag(name: .long, help: "Only report what would be deleted.")
    var dryRun = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let environment = invocation.environment
        let stoppedAfter = environment["MREG_GC_STOPPED_AFTER"].flatMap(Double.init) ?? Registry.stoppedCollectionAge
        // Crash tests stop gc between recording its first page and removing it.
        let pause = environment["MREG_TEST_GC_PAUSE_MARKER"].map { (marker: $0, seconds: 60.0) }
        let report = try invocation.openRegistry(global).collectGarbage(
            dryRun: dryRun, listing: global.json, stoppedAfter: stoppedAfter, pauseAfterRecording: pause)
        if global.json {
            Console.json(GCDocument(
                dryRun: report.dryRun, unreferencedBlobs: report.unreferencedBlobs.map(\.description), bytes: report.bytes,
                keptRecent: report.keptRecent.map(\.description), deletionRefused: report.deletionRefused,
                abandonedTemporaries: report.abandonedTemporaries))
            return
        }
        if let refusal = report.deletionRefused {
            Console.out("deleted nothing: \(report.unreferencedCount) unreferenced blob(s), \(Format.bytes(report.bytes)), stay because \(refusal)")
        } else {
            let verb = dryRun ? "would delete" : "deleted"
            Console.out("\(verb) \(report.unreferencedCount) unreferenced blob(s), \(Format.bytes(report.bytes))"
                + (dryRun ? "" : "; removed \(report.abandonedTemporaries) abandoned temporary file(s)"))
        }
        if !report.keptRecent.isEmpty {
            Console.out("kept \(report.keptRecent.count) unreferenced blob(s) younger than the grace period (MREG_OCI_GC_GRACE): registrations on other machines may still use them")
        }
    }
}
