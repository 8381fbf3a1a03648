import ArgumentParser
import RegistryBackends
import RegistryDocuments
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

            The blobs live in the registry folder (blobs/) unless --blobs names an OCI registry
            (Docker Distribution, Harbor, Zot, GHCR, ECR, Artifactory…): they go to the repository
            PREFIX/mreg-blobs, and each version is also published as an image PREFIX/MODEL:vN that
            skopeo or oras fetch without mreg. Credentials come from MREG_OCI_USERNAME and
            MREG_OCI_PASSWORD, or from docker's config.json; plain HTTP is used only for a loopback
            host unless --insecure.

            EXAMPLES
              mreg init                 # creates ./registry
              mreg init /srv/models     # creates /srv/models
              mreg init registry --metadata postgres://ci@db.internal:5432/models
              mreg init registry --metadata postgres://ci@db.internal:5432/models --blobs oci://registry.internal:5000/ml
            """)

    @Argument(help: ArgumentHelp("Where to create it (default: --registry, $MREG_REGISTRY, else ./registry).", valueName: "path"))
    var path: String?

    @Option(
        help: ArgumentHelp(
            "Keep the metadata in this PostgreSQL database: postgres://USER@HOST:PORT/DATABASE, or postgres://USER@/DATABASE?host=/socket/folder.",
            valueName: "address"))
    var metadata: String?

    @Option(help: ArgumentHelp("Keep the blobs in this OCI registry: oci://HOST:PORT/PREFIX.", valueName: "address"))
    var blobs: String?

    @Flag(help: "Reach the --blobs registry over plain HTTP although it is not on loopback.")
    var insecure = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let chosen = path ?? global.registry ?? invocation.environment["MREG_REGISTRY"] ?? "registry"
        let root = RegistryLocator.absolute(chosen, from: invocation.currentDirectory)
        if insecure && blobs == nil { throw RegistryError(.usage, "--insecure applies to --blobs; give the OCI registry's address with it") }
        let backends = BackendConfiguration(metadata: metadata, blobs: blobs, insecureBlobs: insecure)
        let (registry, created) = try Registry.initialize(at: root, backends: backends, environment: invocation.environment)
        if global.json {
            Console.json(InitDocument(
                registry: root, created: created, formatVersion: registry.formatVersion, metadata: registry.metadataAddress,
                blobs: registry.blobsAddress))
        } else if !global.quiet {
            let place = [registry.metadataAddress.map { ", with its metadata in \($0)" }, registry.blobsAddress.map { ", with its blobs in \($0)" }]
                .compactMap { $0 }.joined()
            Console.out(created ? "initialized an empty registry in \(root)\(place)" : "a registry already exists in \(root)\(place); left unchanged")
        }
    }
}
