import ArgumentParser
import Foundation
import RegistryDocuments
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
        let pem = try keyPEM(invocation)
        let (record, trusted, created) = try registry.sign(reference: reference, keyPEM: pem, signer: invocation.registrant)
        Self.report(record, key: trusted, created: created, json: global.json)
    }

    /// The private key file's text; a warning when others may read it.
    func keyPEM(_ invocation: Invocation) throws(RegistryError) -> String {
        let path = invocation.absolute(key)
        guard let data = FileManager.default.contents(atPath: path), let pem = String(data: data, encoding: .utf8) else {
            throw RegistryError(.notFound, "cannot read the key file '\(key)'", hint: "make one with 'mreg keys generate NAME'")
        }
        var info = stat()
        // Only a private key is a secret (a public key given by mistake is refused below).
        if pem.contains("PRIVATE KEY"), stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            note("warning: '\(key)' is readable by other users; run 'chmod 600 \(key)'")
        }
        return pem
    }

    static func report(_ record: VersionRecord, key trusted: TrustedKeyFile, created: Bool, json: Bool) {
        let name = "\(record.model)@\(record.number)"
        if json {
            Console.json(SignDocument(reference: name, version: record.number, digest: record.manifestDigest.description, key: trusted.name, keyFingerprint: trusted.fingerprint.description, created: created))
        } else {
            Console.out(created
                ? "signed: \(name) (\(record.manifestDigest.short)) by key '\(trusted.name)' (\(trusted.fingerprint.short))"
                : "unchanged: \(name) is already signed by key '\(trusted.name)'")
        }
    }
}
