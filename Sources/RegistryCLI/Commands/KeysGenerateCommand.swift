import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct KeysGenerateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make an Ed25519 key pair: NAME.key (mode 0600) and NAME.pub.",
        discussion: """
            The files are PKCS#8 / SubjectPublicKeyInfo PEM, readable by openssl. Existing files are \
            never overwritten. Keep NAME.key secret (a CI secret); commit nothing but NAME.pub.

            EXAMPLES
              mreg keys generate release --out ~/.mreg
            """)

    @Argument(help: "The key's name (letters, digits, '.', '_', '-').")
    var name: String

    @Option(name: .long, help: ArgumentHelp("Where to write the files (default: the current directory).", valueName: "dir"))
    var out: String?

    @OptionGroup var global: GlobalOptions

    static var worksWithoutRegistry: Bool { true }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let directory = invocation.absolute(out ?? ".")
        let (privatePath, publicPath, fingerprint) = try Registry.generateKeyPair(name: name, directory: directory)
        if global.json {
            Console.json(KeysGenerateDocument(privateKey: privatePath, publicKey: publicPath, fingerprint: fingerprint.description))
        } else {
            Console.out("private key: \(privatePath) (mode 0600; keep it secret)")
            Console.out("public key:  \(publicPath)")
            Console.out("fingerprint: \(fingerprint)")
            note("next: 'mreg keys trust \(publicPath)' in the registry that should accept its signatures")
        }
    }
}
