import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit

struct MigrateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move an embedded registry's metadata into PostgreSQL and its blobs into an OCI registry, with its whole history.",
        discussion: """
            Copies every version, dataset, evaluation, signature, annotation and ledger event, keeping \
            their numbers and digests, so the ledger chain and every record verify on the other side. \
            Writers are held off while it copies. The copy is verified like 'mreg verify --all' \
            before registry.json is switched to the database; registry.sqlite is kept as it was. An \
            interrupted migration resumes when run again. The password comes from PGPASSWORD or a \
            password file, never from the address.

            --to-blobs uploads every blob to the OCI registry (a blob it holds already is not sent \
            again) and publishes every version as an image PREFIX/MODEL:vN; the copy is verified by \
            re-hashing every blob where it now lives. blobs/ is kept as it was. Either option alone \
            moves one half.

            EXAMPLES
              createdb -h db.internal -U ci models
              mreg migrate --to-metadata postgres://ci@db.internal:5432/models --to-blobs oci://registry.internal:5000/ml
              git commit -m "registry: metadata in PostgreSQL, blobs in the OCI registry" registry/registry.json
            """)

    @Option(
        name: .customLong("to-metadata"),
        help: ArgumentHelp("The PostgreSQL database to move the metadata into: postgres://USER@HOST:PORT/DATABASE.", valueName: "address"))
    var toMetadata: String?

    @Option(name: .customLong("to-blobs"), help: ArgumentHelp("The OCI registry to move the blobs into: oci://HOST:PORT/PREFIX.", valueName: "address"))
    var toBlobs: String?

    @Flag(help: "Reach the --to-blobs registry over plain HTTP although it is not on loopback.")
    var insecure = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        if insecure && toBlobs == nil { throw RegistryError(.usage, "--insecure applies to --to-blobs; give the OCI registry's address with it") }
        let registry = try invocation.openRegistry(global)
        // Crash tests stop a migration between two batches.
        let batchSize = invocation.environment["MREG_TEST_MIGRATE_BATCH"].flatMap(Int.init) ?? 1000
        let pause = invocation.environment["MREG_TEST_MIGRATE_PAUSE"].flatMap(Double.init) ?? 0
        let report = try registry.migrate(
            toMetadata: toMetadata, toBlobs: toBlobs, insecureBlobs: insecure, environment: invocation.environment, batchSize: batchSize,
            progress: invocation.progress(global)
        ) { _, _ in
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        let verification = report.verification
        if global.json {
            Console.json(MigrateDocument(
                metadata: report.metadata, rows: report.rows.map { MigrateDocument.Table(table: $0.table, rows: $0.rows) },
                blobs: report.blobs, blobsCopied: report.blobsCopied, bytesCopied: report.bytesCopied, versionsPublished: report.versionsPublished,
                versionsVerified: verification.versionsChecked, eventsVerified: verification.eventsChecked,
                head: verification.head.map { HeadDocument(sequence: $0.sequence, digest: $0.digest.description) }))
        } else if !global.quiet {
            if let metadata = report.metadata { Console.out("copied \(report.rows.reduce(0) { $0 + $1.rows }) row(s) into \(metadata)") }
            if let blobs = report.blobs {
                Console.out("copied \(report.blobsCopied) blob(s), \(Format.bytes(report.bytesCopied)), into \(blobs); published \(report.versionsPublished) version(s) as images")
            }
            Console.out("verified: \(verification.versionsChecked) version(s), \(verification.eventsChecked) ledger event(s), \(verification.recordsChecked) record(s) rebuilt; no problems")
            if let head = verification.head { Console.out("ledger head: #\(head.sequence) \(head.digest)") }
            let places = [report.metadata, report.blobs].compactMap { $0 }.joined(separator: " and ")
            let kept = [report.metadata.map { _ in "registry.sqlite" }, report.blobs.map { _ in "blobs/" }].compactMap { $0 }.joined(separator: " and ")
            Console.out("registry.json now points at \(places); \(kept) kept unchanged")
        }
    }
}

struct MigrateDocument: Encodable {
    struct Table: Encodable {
        let table: String
        let rows: Int
    }

    let metadata: String?
    let rows: [Table]
    let blobs: String?
    let blobsCopied: Int
    let bytesCopied: Int64
    let versionsPublished: Int
    let versionsVerified: Int
    let eventsVerified: Int
    let head: HeadDocument?
}
