import ArgumentParser

/// The `mreg` command: a content-addressed model registry with git lineage.
public struct MregCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mreg",
        abstract: "A model registry: immutable, checksummed model versions with their code, data, parameters and metrics.",
        discussion: """
            Versions are referenced as NAME (latest), NAME@3 or NAME@v3, NAME@ALIAS, or NAME@sha256:PREFIX \
            (at least 12 hex digits).

            The registry is --registry PATH, else $MREG_REGISTRY, else the nearest folder named 'registry' \
            holding a registry.json, searching upwards from the current directory.

            \(exitStatusHelp)
            """,
        version: "0.1.0",
        subcommands: [InitCommand.self, RegisterCommand.self, ListCommand.self, ShowCommand.self, ExportCommand.self, VerifyCommand.self]
    )

    public init() {}
}
