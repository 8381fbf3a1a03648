import ArgumentParser
import RegistryKit

struct InitCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a registry (idempotent: an existing registry is left as it is).",
        discussion: """
            The metadata lives in registry.sqlite beside the blobs unless --metadata names a
            PostgreSQL database for a registry that several machines share. The address is recorded
            in registry.json (committed); it never holds the password, which comes from PGPASSWORD
            or a password file (~/.pgpass, or PGPASSFILE).

            EXAMPLES
              mreg init                 # creates ./registry
              mreg init /srv/models     # creates /srv/models
              mreg init registry --metadata postgres://ci@db.internal:5432/models
            """)

    @Argument(help: ArgumentHelp("Where to create it (default: --registry, $MREG_REGISTRY, else ./registry).", valueName: "path"))
    var path: String?

    @Option(
        help: ArgumentHelp(
            "Keep the metadata in this PostgreSQL database: postgres://USER@HOST:PORT/DATABASE, or postgres://USER@/DATABASE?host=/socket/folder.",
            valueName: "address"))
    var metadata: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let chosen = path ?? global.registry ?? invocation.environment["MREG_REGISTRY"] ?? "registry"
        let root = RegistryLocator.absolute(chosen, from: invocation.currentDirectory)
        let (registry, created) = try Registry.initialize(at: root, metadata: metadata, environment: invocation.environment)
        if global.json {
            Console.json(InitDocument(registry: root, created: created, formatVersion: registry.formatVersion, metadata: registry.metadataAddress))
        } else if !global.quiet {
            let place = registry.metadataAddress.map { ", with its metadata in \($0)" } ?? ""
            Console.out(created ? "initialized an empty registry in \(root)\(place)" : "a registry already exists in \(root)\(place); left unchanged")
        }
    }
}
