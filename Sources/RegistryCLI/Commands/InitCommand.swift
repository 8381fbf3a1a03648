import ArgumentParser
import RegistryKit

struct InitCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a registry (idempotent: an existing registry is left as it is).",
        discussion: """
            EXAMPLES
              mreg init                 # creates ./registry
              mreg init /srv/models     # creates /srv/models
            """)

    @Argument(help: ArgumentHelp("Where to create it (default: --registry, $MREG_REGISTRY, else ./registry).", valueName: "path"))
    var path: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let chosen = path ?? global.registry ?? invocation.environment["MREG_REGISTRY"] ?? "registry"
        let root = RegistryLocator.absolute(chosen, from: invocation.currentDirectory)
        let (_, created) = try Registry.initialize(at: root)
        if global.json {
            Console.json(InitDocument(registry: root, created: created, formatVersion: RegistryLayout.formatVersion))
        } else if !global.quiet {
            Console.out(created ? "initialized an empty registry in \(root)" : "a registry already exists in \(root); left unchanged")
        }
    }
}
