import ArgumentParser
import DatasetProfiling
import Foundation
import RegistryKit
import RegistryModel

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Record datasets (fingerprint and column statistics) and look at them.",
        subcommands: [DatasetAddCommand.self, DatasetListCommand.self, DatasetShowCommand.self])
}
