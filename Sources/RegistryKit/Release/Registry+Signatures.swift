import RegistryStorage
import Foundation
import Glibc
import RegistryModel
import Signatures

/// A public key the registry trusts: `registry/keys/NAME.pub`.
public struct TrustedKeyFile: Sendable {
    public let name: String
    public let fingerprint: Digest
    public let key: TrustedKey
    public let path: String
}

/// The verdict on one stored signature.
public struct SignatureCheck: Sendable, Equatable {
    public enum State: String, Sendable {
        case valid
        /// The key that made it is not among the registry's trusted keys.
        case untrusted
        /// It does not verify over the version's manifest digest: a changed manifest or signature.
        case invalid
    }

    public let keyName: String
    public let fingerprint: Digest
    public let state: State
    public let signedAt: Date
    public let signedBy: String
}

extension Registry {
    /// Writes a new Ed25519 key pair as `NAME.key` (mode 0600) and `NAME.pub` in `directory`;
    /// refuses to overwrite either file.
    public static func generateKeyPair(name: String, directory: String) throws(RegistryError) -> (privateKey: String, publicKey: String, fingerprint: Digest) {
        try validateKeyName(name)
        let key = SigningKey.generate()
        let privatePath = directory + "/" + name + ".key"
        let publicPath = directory + "/" + name + ".pub"
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw RegistryError(.conflict, "'\(path)' already exists; keys are never overwritten", hint: "choose another NAME or --out DIR")
        }
        try writeNew(key.pem, to: privatePath, mode: 0o600)
        try writeNew(key.publicKey.pem, to: publicPath, mode: 0o644)
        return (privatePath, publicPath, key.publicKey.fingerprint)
    }

    /// Adds a public key to the registry's trusted keys (`keys/NAME.pub`, committed with the registry).
    public func trustKey(pem: String, name: String) throws(RegistryError) -> (key: TrustedKeyFile, added: Bool) {
        try Self.validateKeyName(name)
        let key: TrustedKey
        do {
            key = try TrustedKey(pem: pem)
        } catch {
            throw RegistryError(error, purpose: "trust")
        }
        let existing = try trustedKeys()
        if let same = existing.first(where: { $0.fingerprint == key.fingerprint }) {
            return (same, false)
        }
        if let clash = existing.first(where: { $0.name == name }) {
            throw RegistryError(
                .conflict, "a different key is already trusted as '\(name)' (\(clash.fingerprint.short))", hint: "pass --name to trust this one under another name")
        }
        do {
            try FileManager.default.createDirectory(atPath: layout.trustedKeysDirectory, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.io, "cannot create '\(layout.trustedKeysDirectory)': \(error.localizedDescription)")
        }
        let path = layout.trustedKeysDirectory + "/" + name + ".pub"
        try Self.writeAtomically(Data(key.pem.utf8), to: path)
        return (TrustedKeyFile(name: name, fingerprint: key.fingerprint, key: key, path: path), true)
    }

    /// What the trusted keys' files are now, without reading them: each one's name, inode, size
    /// and change time. The same text, the same keys (mreg writes a key by renaming a new file
    /// into place; an editor or git changes the time at least).
    public func trustedKeysStamp() -> String {
        let directory = layout.trustedKeysDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return "" }
        var stamp = ""
        for file in names.sorted() where file.hasSuffix(".pub") {
            var info = stat()
            guard stat(directory + "/" + file, &info) == 0 else {
                stamp += "\(file) unreadable\n"
                continue
            }
            stamp += "\(file) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)\n"
        }
        return stamp
    }

    /// The registry's trusted keys; an unreadable key file is an error, never silently skipped.
    public func trustedKeys() throws(RegistryError) -> [TrustedKeyFile] {
        let directory = layout.trustedKeysDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var keys = [TrustedKeyFile]()
        for file in names.sorted() where file.hasSuffix(".pub") {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw RegistryError(.io, "cannot read the trusted key '\(path)'")
            }
            do {
                let key = try TrustedKey(pem: text)
                keys.append(TrustedKeyFile(name: String(file.dropLast(4)), fingerprint: key.fingerprint, key: key, path: path))
            } catch {
                throw RegistryError(trustedKey: error, path: path)
            }
        }
        return keys
    }

    /// Signs a version's manifest digest with a key the registry trusts, after checking that the
    /// stored manifest still hashes to that digest. Signing twice with one key changes nothing.
    public func sign(reference: String, keyPEM: String, signer: Registrant) throws(RegistryError) -> (record: VersionRecord, key: TrustedKeyFile, created: Bool) {
        let key = try Self.signingKey(keyPEM)
        let record = try resolve(reference: reference)
        return try recordSignature(
            of: record, signature: try Self.signature(of: record.manifestDigest, with: key), keyFingerprint: key.publicKey.fingerprint, signer: signer)
    }

    /// Records a signature a client made on its machine (its private key never leaves it): the
    /// version must still have the manifest it signed, the key must be trusted here, and the
    /// signature must verify with it.
    public func recordSignature(
        reference: String, manifest: Digest, signature: [UInt8], keyFingerprint: Digest, signer: Registrant
    ) throws(RegistryError) -> (record: VersionRecord, key: TrustedKeyFile, created: Bool) {
        let record = try resolve(reference: reference)
        guard record.manifestDigest == manifest else {
            throw RegistryError(
                .conflict, "the signature is of manifest \(manifest.short), but \(record.model)@\(record.number)'s is \(record.manifestDigest.short)",
                hint: "sign the version again")
        }
        return try recordSignature(of: record, signature: signature, keyFingerprint: keyFingerprint, signer: signer)
    }

    private func recordSignature(
        of record: VersionRecord, signature: [UInt8], keyFingerprint fingerprint: Digest, signer: Registrant
    ) throws(RegistryError) -> (record: VersionRecord, key: TrustedKeyFile, created: Bool) {
        guard let trusted = try trustedKeys().first(where: { $0.fingerprint == fingerprint }) else {
            throw RegistryError(
                .refused, "the key \(fingerprint.short) is not trusted by this registry, so its signature would fail 'mreg verify'",
                hint: "trust its public half first with 'mreg keys trust NAME.pub'")
        }
        guard trusted.key.isValidSignature(signature, manifest: record.manifestDigest) else {
            throw RegistryError(
                .refused, "the signature does not verify with key '\(trusted.name)' (\(fingerprint.short)) on \(record.model)@\(record.number)'s manifest",
                hint: "sign with the private key whose public half is trusted as '\(trusted.name)'")
        }
        _ = try storeBlob { () throws(ContentStoreError) in try blobs.readVerified(record.manifestDigest) }
        if try database({ (db) throws(MetadataError) in try db.signatures(versionID: record.id) }).contains(where: { $0.keyFingerprint == fingerprint }) {
            return (record, trusted, false)
        }
        let stored = StoredSignature(
            keyFingerprint: fingerprint, keyName: trusted.name, signature: signature, signedAt: clock(), signedBy: "\(signer.user)@\(signer.host)")
        let storeLock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "sign")
        defer { withExtendedLifetime(storeLock) {} }
        let created = try retryingCollected { (fence) throws(RegistryError) in
            let document = try storeRecord(Self.signatureDocument(stored, manifest: record.manifestDigest), what: "signature")
            return try database { (db) throws(MetadataError) in
                try db.insertSignature(
                    versionID: record.id, stored, actor: signer, record: document, fence: BlobFence(position: fence, digests: [document]), seal: Self.sealEvent)
            }
        }
        return (record, trusted, created)
    }

    /// A private key (PEM) to sign with, or a usage error saying what is wrong with it.
    public static func signingKey(_ pem: String) throws(RegistryError) -> SigningKey {
        do {
            return try SigningKey(pem: pem)
        } catch {
            throw RegistryError(error, purpose: "sign")
        }
    }

    /// The Ed25519 signature of a manifest digest.
    public static func signature(of manifest: Digest, with key: SigningKey) throws(RegistryError) -> [UInt8] {
        do {
            return try key.sign(manifest: manifest)
        } catch {
            throw .bug("signing failed: \(error.description)")
        }
    }

    /// Checks every stored signature of a version against the trusted keys and its manifest digest.
    public func signatureChecks(of record: VersionRecord) throws(RegistryError) -> [SignatureCheck] {
        try signatureChecks(of: record, stored: try database { (db) throws(MetadataError) in try db.signatures(versionID: record.id) })
    }

    /// The checks of signatures already read.
    func signatureChecks(of record: VersionRecord, stored: [StoredSignature]) throws(RegistryError) -> [SignatureCheck] {
        guard !stored.isEmpty else { return [] }
        return Self.signatureChecks(of: record, stored: stored, keys: try trustedKeys())
    }

    /// The checks of signatures already read, against trusted keys already read.
    static func signatureChecks(of record: VersionRecord, stored: [StoredSignature], keys: [TrustedKeyFile]) -> [SignatureCheck] {
        stored.map { signature in
            let state: SignatureCheck.State
            if let key = keys.first(where: { $0.fingerprint == signature.keyFingerprint }) {
                state = key.key.isValidSignature(signature.signature, manifest: record.manifestDigest) ? .valid : .invalid
            } else {
                state = .untrusted
            }
            return SignatureCheck(keyName: signature.keyName, fingerprint: signature.keyFingerprint, state: state, signedAt: signature.signedAt, signedBy: signature.signedBy)
        }
    }

    /// Names of the trusted keys with a valid signature on the version (for `require_signature`).
    func trustedSigners(of record: VersionRecord) throws(RegistryError) -> [String] {
        try signatureChecks(of: record).filter { $0.state == .valid }.map(\.keyName)
    }

    static func validateKeyName(_ name: String) throws(RegistryError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        guard !name.isEmpty, allowed, !name.hasPrefix("."), name.count <= 100 else {
            throw .usage("invalid key name '\(name)': use letters, digits, '.', '_' and '-' (not starting with '.')")
        }
    }

    /// Creates a file that must not exist yet, with `mode` from the start (a private key is never
    /// readable by others, not even for a moment).
    static func writeNew(_ text: String, to path: String, mode: mode_t) throws(RegistryError) {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code = errno
            let kind: RegistryError.Kind = code == EEXIST ? .conflict : code == ENOENT ? .notFound : .io
            throw RegistryError(kind, "cannot create '\(path)': \(systemMessage(code))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            let code = errno
            unlink(path)
            throw RegistryError(.io, "cannot write '\(path)': \(systemMessage(code))")
        }
    }

    private static func systemMessage(_ code: Int32) -> String { String(cString: strerror(code)) }
}
