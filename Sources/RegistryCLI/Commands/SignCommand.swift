import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct SignCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a version's manifest digest with an Ed25519 key the registry trusts.",
        discussion: """
            The signature covers the manifest digest, which covers every file's digest, the \
            parameters, datasets, metrics and git commit. 'mreg verify' checks it against the \
            trusted keys in registry/keys/; the policy gate require_signature needs one.

            EXAMPLES
              mreg keys generate release --out ~/.mreg
              mreg keys trust ~/.mreg/release.pub
              mreg sign churn@7 --key ~/.mreg/release.key
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("The private key file (PEM, from 'mreg keys generate').", valueName: "file"))
    var key: String

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let path = invocation.absolute(key)
        guard let data = FileManager.default.contents(atPath: path), let pem = String(data: data, encoding: .utf8) else {
            throw RegistryError(.notFound, "cannot read the key file '\(key)'", hint: "make one with 'mreg keys generate NAME'")
        }
        var info = stat()
        // Only a private key is a secret (a public key given by mistake is refused below).
        if pem.contains("PRIVATE KEY"), stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            note("warning: '\(key)' is readable by other users; run 'chmod 600 \(key)'")
        }
        let signer = invocation.registrant
        let (record, trusted, created) = try registry.sign(reference: reference, keyPEM: pem, signer: signer)
        let name = "\(record.model)@\(record.number)"
        if global.json {
            Console.json(SignDocument(reference: name, version: record.number, digest: record.manifestDigest.description, key: trusted.name, keyFingerprint: trusted.fingerprint.description, created: created))
        } else {
            Console.out(created
                ? "signed: \(name) (\(record.manifestDigest.short)) by key '\(trusted.name)' (\(trusted.fingerprint.short))"
                : "unchanged: \(name) is already signed by key '\(trusted.name)'")
        }
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make signing keys and manage the keys the registry trusts.",
        subcommands: [KeysGenerateCommand.self, KeysTrustCommand.self, KeysListCommand.self])
}

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
        guard let data = FileManager.default.contents(atPath: invocation.absolute(file)), let pem = String(data: data, encoding: .utf8) else {
            throw RegistryError(.notFound, "cannot read the key file '\(file)'")
        }
        let base = URL(fileURLWithPath: file).lastPathComponent
        let keyName = name ?? (base.hasSuffix(".pub") ? String(base.dropLast(4)) : base)
        let (key, added) = try registry.trustKey(pem: pem, name: keyName)
        if global.json {
            Console.json(KeysTrustDocument(key: KeyDocument(name: key.name, fingerprint: key.fingerprint.description, path: key.path), added: added))
        } else {
            Console.out(added
                ? "trusted: key '\(key.name)' (\(key.fingerprint)) in \(key.path); commit it with the registry"
                : "unchanged: this key is already trusted as '\(key.name)'")
        }
    }
}

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
