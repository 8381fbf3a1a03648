import ContentHashing
import RegistryStorage
import Foundation
import RegistryModel

/// Building, storing and rebuilding the documents that fact events commit to.
extension Registry {
    /// Builds a ledger event from its draft and the place the store gives it, and hashes its
    /// canonical bytes with the store's SHA-256 (so event and blob digests are one kind).
    public static let sealEvent: EventSealer = { draft, place in
        let event = LedgerEvent(draft, at: place)
        return RecordedEvent(event: event, digest: FileHashing.digest(of: event.canonicalBytes()))
    }

    /// A document's canonical bytes; a value that cannot be encoded is a bug, never an empty document.
    static func documentBytes(_ document: JSONValue, what: String) throws(RegistryError) -> [UInt8] {
        do {
            return try CanonicalJSON.encode(document)
        } catch {
            throw .bug("the \(what) document cannot be encoded: \(error.description)")
        }
    }

    /// Stores a document as a blob (before the transaction whose event commits to it).
    func storeRecord(_ document: JSONValue, what: String) throws(RegistryError) -> Digest {
        let bytes = try Self.documentBytes(document, what: what)
        return try storeBlob { () throws(ContentStoreError) in try blobs.ingest(bytes: bytes) }.digest
    }

    /// Stores a dataset's contents document unless the dataset is recorded already (its event
    /// then exists, and a second document would be an orphan blob).
    func storeDatasetRecord(_ fingerprint: DatasetFingerprint, listing: [FileEntry], profiles: [StoredProfile]) throws(RegistryError) -> Digest? {
        if try database({ (db) throws(MetadataError) in try db.datasetExists(fingerprint.digest) }) { return nil }
        return try storeRecord(Self.datasetContentsDocument(fingerprint, listing: listing, profiles: profiles), what: "dataset")
    }

    /// What the registration document of a version says, rebuilt from its record.
    static func registrationDocument(_ record: VersionRecord) -> JSONValue {
        RecordDocument.registration(
            manifest: record.manifestDigest, createdAt: record.createdAt, registrant: record.registrant, git: record.git,
            gitNote: record.gitNote, datasetSources: Dictionary(record.datasets.map { ($0.role, $0.sourcePath) }, uniquingKeysWith: { $1 }))
    }

    /// A dataset's contents document, with each stored profile named by the digest of its text.
    static func datasetContentsDocument(_ fingerprint: DatasetFingerprint, listing: [FileEntry], profiles: [StoredProfile]) -> JSONValue {
        RecordDocument.datasetContents(
            fingerprint, listing: listing,
            profileDigests: profiles.map { ($0.path, $0.fileDigest, FileHashing.digest(of: Array($0.json.utf8))) })
    }

    static func signatureDocument(_ signature: StoredSignature, manifest: Digest) -> JSONValue {
        RecordDocument.signature(
            manifest: manifest, keyFingerprint: signature.keyFingerprint, keyName: signature.keyName, signature: signature.signature,
            signedAt: signature.signedAt, signedBy: signature.signedBy)
    }

    static func datasetNameDocument(_ name: DatasetName) -> JSONValue {
        RecordDocument.datasetName(
            name: name.name, dataset: name.fingerprint.digest, sourcePath: name.sourcePath, addedAt: name.addedAt, addedBy: name.addedBy)
    }

    /// Rebuilds the document a fact event committed to from the rows it links to, and names
    /// what no longer matches; nil when the rows still say what the event recorded. A caller
    /// that holds the version's record already passes it, so it is not read twice.
    func factMismatch(_ stored: StoredEvent, record known: VersionRecord? = nil) throws(RegistryError) -> String? {
        guard let event = stored.event, event.record != nil else { return nil }
        let subject = event.to.map { " of \($0.reference)" } ?? ""
        let document: JSONValue
        do {
            switch (event.action, stored.link) {
            case (.register, nil):
                var record = known
                if record == nil, let id = stored.versionID { record = try metadata.record(id: id) }
                guard let record else { return "the version\(subject) is gone" }
                document = Self.registrationDocument(record)
            case (.evaluate, .evaluation(let id)?):
                guard let evaluation = try metadata.evaluation(id: id) else { return "evaluation #\(id)\(subject) was deleted" }
                document = RecordDocument.evaluation(evaluation)
            case (.sign, .signature(let key)?):
                guard let id = stored.versionID, let version = event.to,
                    let signature = try metadata.signatures(versionID: id).first(where: { $0.keyFingerprint == key })
                else { return "the signature\(subject) by key \(key.short) was deleted" }
                document = Self.signatureDocument(signature, manifest: version.manifestDigest)
            case (.recordDataset, .dataset(let digest)?):
                guard let details = try metadata.dataset(digest, uses: 0) else { return "dataset \(digest.short) was deleted" }
                document = Self.datasetContentsDocument(details.fingerprint, listing: details.files, profiles: details.profiles)
            case (.nameDataset, .datasetName(let name, let digest)?):
                guard let row = try metadata.datasetNameRecord(name, dataset: digest) else { return "the dataset name '\(name)' was deleted" }
                document = Self.datasetNameDocument(row)
            case (.annotate, .annotation(let sequence)?):
                guard let annotation = try metadata.annotation(sequence: sequence), let version = event.to else {
                    return "the annotation\(subject) was deleted"
                }
                document = annotation.annotation.document(manifest: version.manifestDigest)
            case (.recordDrift, .driftReport(let sequence)?):
                guard let stored = try metadata.driftReport(sequence: sequence), let version = event.to else {
                    return "the drift report\(subject) was deleted"
                }
                document = stored.report.document(manifest: version.manifestDigest)
            default:
                return "a \(event.action.rawValue) event links to no rows it could have recorded"
            }
        } catch .corrupt(let problem) {
            return "the rows of \(Self.factName(event.action))\(subject) hold a value mreg never writes: \(problem)"
        } catch {
            throw RegistryError(error)
        }
        return try documentMismatch(document, event: event)
    }

    /// Compares a document rebuilt from rows with the one a fact event committed to; nil when
    /// they are the same bytes.
    func documentMismatch(_ document: JSONValue, event: LedgerEvent) throws(RegistryError) -> String? {
        guard let recorded = event.record else { return nil }
        let bytes = try Self.documentBytes(document, what: event.action.rawValue)
        guard FileHashing.digest(of: bytes) != recorded else { return nil }
        let subject = event.to.map { " of \($0.reference)" } ?? ""
        return "\(Self.factName(event.action))\(subject) no longer matches what ledger event #\(event.sequence) recorded"
            + (try changedFields(now: document, recorded: recorded).map { " (changed: \($0))" } ?? "")
    }

    static func factName(_ action: LedgerEvent.Action) -> String {
        switch action {
        case .register: "the registration record"
        case .evaluate: "an evaluation"
        case .sign: "a signature"
        case .recordDataset: "a dataset's contents"
        case .nameDataset: "a dataset name"
        case .annotate: "an annotation"
        case .recordDrift: "a drift report"
        case .promote, .demote, .rollback, .deprecate, .liftDeprecation, .liftRollback, .delete, .undelete: "an alias event"
        }
    }

    /// The top-level members in which a rebuilt document differs from the stored one (nil when
    /// the stored document cannot be read; the blob check reports that).
    func changedFields(now: JSONValue, recorded: Digest) throws(RegistryError) -> String? {
        guard let bytes = try? blobs.readVerified(recorded), let stored = try? JSONParser.parse(bytes) else {
            return nil
        }
        let fields = Self.differingPaths(now, stored, prefix: "")
        return fields.isEmpty ? nil : fields.joined(separator: ", ")
    }

    /// Paths (`metrics.holdout.auc`, `git.dirty`) where two documents differ, two levels deep.
    static func differingPaths(_ left: JSONValue, _ right: JSONValue, prefix: String, depth: Int = 0) -> [String] {
        guard (try? CanonicalJSON.encode(left)) != (try? CanonicalJSON.encode(right)) else { return [] }
        guard depth < 2, let a = left.objectValue, let b = right.objectValue else { return [prefix.isEmpty ? "the whole document" : prefix] }
        return Set(a.keys).union(b.keys).sorted().flatMap { key in
            differingPaths(a[key] ?? .null, b[key] ?? .null, prefix: prefix.isEmpty ? key : "\(prefix).\(key)", depth: depth + 1)
        }
    }
}
