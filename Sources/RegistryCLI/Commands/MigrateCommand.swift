import ArgumentParser
import Foundation
import RegistryKit

struct MigrateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move an embedded registry's metadata into PostgreSQL, with its whole history.",
        discussion: """
            Copies every version, dataset, evaluation, signature, annotation and ledger event, keeping \
            their numbers and digests, so the ledger chain and every record verify on the other side. \
            Writers are held off while it copies. The copy is verified like 'mreg verify --all' \
            before registry.json is switched to the database; registry.sqlite is kept as it was. An \
            interrupted migration resumes when run again. The blobs stay in the registry folder. \
            The password comes from PGPASSWORD or a password file, never from the address.

            EXAMPLES
              createdb -h db.internal -U ci models
              mreg migrate --to-metadata postgres://ci@db.internal:5432/models
              git commit -m "registry: metadata in PostgreSQL" registry/registry.json
            """)

    @Option(
        name: .customLong("to-metadata"),
        help: ArgumentHelp("The PostgreSQL database to move the metadata into: postgres://USER@HOST:PORT/DATABASE.", valueName: "address"))
    var toMetadata: String

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        // Crash tests stop a migration between two batches.
        let batchSize = invocation.environment["MREG_TEST_MIGRATE_BATCH"].flatMap(Int.init) ?? 1000
        let pause = invocation.environment["MREG_TEST_MIGRATE_PAUSE"].flatMap(Double.init) ?? 0
        let report = try registry.migrate(
            toMetadata: toMetadata, environment: invocation.environment, batchSize: batchSize, progress: invocation.progress(global)
        ) { _, _ in
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        let verification = report.verification
        if global.json {
            Console.json(MigrateDocument(
                metadata: report.metadata, rows: report.rows.map { MigrateDocument.Table(table: $0.table, rows: $0.rows) },
                versionsVerified: verification.versionsChecked, eventsVerified: verification.eventsChecked,
                head: verification.head.map { HeadDocument(sequence: $0.sequence, digest: $0.digest.description) }))
        } else if !global.quiet {
            let total = report.rows.reduce(0) { $0 + $1.rows }
            Console.out("copied \(total) row(s) into \(report.metadata)")
            Console.out("verified: \(verification.versionsChecked) version(s), \(verification.eventsChecked) ledger event(s), \(verification.recordsChecked) record(s) rebuilt; no problems")
            if let head = verification.head { Console.out("ledger head: #\(head.sequence) \(head.digest)") }
            Console.out("registry.json now points at \(report.metadata); registry.sqlite is kept unchanged")
        }
    }
}

struct MigrateDocument: Encodable {
    struct Table: Encodable {
        let table: String
        let rows: Int
    }

    let metadata: String
    let rows: [Table]
    let versionsVerified: Int
    let eventsVerified: Int
    let head: HeadDocument?
}
