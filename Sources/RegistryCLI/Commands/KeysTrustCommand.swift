import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct KeysTrustCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Add a public key to the registry's trusted keys (registry/keys/NAME.pub).",
        discussion: """
            Trusted keys are files beside policy.toml, committed with the registry, so adding one is \
            a reviewed change rather than a database row anyone with write access could slip in.

            EXAMPLES
              mreg keys trust release.pub
              mreg keys trust ci-signer.pub --name ci
            """)

    @Argument(help: ArgumentHelp("The public key file (PEM).", valueName: "file"))
    var file: String

    @Option(name: .long, help: "The name to trust it under (default: the file name without .pub).")
    var name: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (pem, keyName) = try keyFile(invocation)
        let (key, added) = try registry.trustKey(pem: pem, name: keyName)
        Self.report(key, added: added, json: global.json)
    }

    /// The public key file's text, and the name to trust it under.
    func keyFile(_ invocation: Invocation) throws(RegistryError) -> (pem: String, name: String) {
        guard let data = FileManager.default.contents(atPath: invocation.absolute(file)), let pem = String(data: data, encoding: .utf8) else {
            throw RegistryError(.notFound, "cannot read the key file '\(file)'")
        }
        let base = URL(fileURLWithPath: file).lastPathComponent
        return (pem, name ?? (base.hasSuffix(".pub") ? String(base.dropLast(4)) : base))
    }

    static func report(_ key: TrustedKeyFile, added: Bool, json: Bool) {
        if json {
            Console.json(KeysTrustDocument(key: KeyDocument(name: key.name, fingerprint: key.fingerprint.description, path: key.path), added: added))
        } else {
            Console.out(added
                ? "trusted: key '\(key.name)' (\(key.fingerprint)) in \(key.path); commit it with the registry"
                : "unchanged: this key is already trusted as '\(key.name)'")
        }
    }
}
