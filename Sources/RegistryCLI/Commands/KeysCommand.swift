import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make signing keys and manage the keys the registry trusts.",
        subcommands: [KeysGenerateCommand.self, KeysTrustCommand.self, KeysListCommand.self])
}
