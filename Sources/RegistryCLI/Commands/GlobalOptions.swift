import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The registry folder (default: $MREG_REGISTRY, else the nearest ./registry upwards).", valueName: "path"))
    var registry: String?

    @Flag(name: .long, help: "Print one JSON document (its schema is in schemas/).")
    var json = false

    @Flag(name: [.short, .long], help: "No progress bars or notes on stderr.")
    var quiet = false
}
