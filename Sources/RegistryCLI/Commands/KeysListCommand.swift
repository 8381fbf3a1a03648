import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct KeysListCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the registry's trusted keys.")

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let keys = try invocation.openRegistry(global).trustedKeys()
        if global.json {
            Console.json(KeysListDocument(keys: keys.map { KeyDocument(name: $0.name, fingerprint: $0.fingerprint.description, path: $0.path) }))
        } else if keys.isEmpty {
            note("no trusted keys; add one with 'mreg keys trust NAME.pub'")
        } else {
            Console.out(Format.table(["NAME", "FINGERPRINT"], keys.map { [$0.name, $0.fingerprint.description] }))
        }
    }
}
