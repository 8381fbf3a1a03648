import ContentStore
import RegistryStorage
import Foundation
import MetadataStore
import RegistryModel

/// Reads that gates, `show`, `diff` and `compare` rely on, checked against the digests that the
/// manifest and the ledger committed to: a row changed behind mreg's back is an integrity
/// failure (exit 5) before any decision is made on it.
extension Registry {
    /// nil when a version's rows rebuild the manifest digest it was registered with; otherwise
    /// the manifest fields that differ (empty when the stored manifest cannot be read to say).
    func manifestMismatch(_ record: VersionRecord) throws(RegistryError) -> [String]? {
        // Either manifest format the version may have been registered with; each names itself.
        var rebuilt = [Manifest]()
        for format in Manifest.Format.allCases.reversed() {
            let manifest = Manifest(rebuiltFrom: record, format: format)
            do {
                if BlobStore.digest(of: try manifest.canonicalBytes()) == record.manifestDigest { return nil }
            } catch {
                return ["params (\(error.description))"]
            }
            rebuilt.append(manifest)
        }
        guard let stored = try? blobs.readVerified(record.manifestDigest), let json = try? JSONParser.parse(stored) else { return [] }
        let format = rebuilt.first { json.objectValue?["media_type"] == .string($0.format.mediaType) } ?? rebuilt[0]
        return Self.differingPaths(format.jsonValue, json, prefix: "")
    }

    /// Checks a version's rows: they rebuild its manifest, the manifest blob is intact, and its
    /// registration record matches the document its `register` event committed to.
    func checkFacts(of record: VersionRecord) throws(RegistryError) {
        let name = "\(record.model)@\(record.number)"
        if let fields = try manifestMismatch(record) {
            throw Self.tampered("the database's record of \(name) does not match its manifest" + (fields.isEmpty ? "" : " in \(fields.joined(separator: ", "))"))
        }
        _ = try storeBlob { () throws(ContentStoreError) in try blobs.readVerified(record.manifestDigest) }
        let events = try database { (db) throws(MetadataError) in try db.factEvents(versionID: record.id) }
        guard let registration = events.first(where: { $0.event?.action == .register }) else {
            throw Self.tampered("\(name) is recorded by no registration event in the ledger")
        }
        try checkFactEvent(registration)
    }

    /// A version's evaluations, oldest first, each checked against the document its `evaluate`
    /// event committed to; one added or deleted behind mreg's back is an integrity failure.
    func checkedEvaluations(of record: VersionRecord) throws(RegistryError) -> [EvaluationRecord] {
        let rows = try database { (db) throws(MetadataError) in try db.evaluations(versionID: record.id) }
        let events = try database { (db) throws(MetadataError) in try db.factEvents(versionID: record.id) }.filter { $0.event?.action == .evaluate }
        var recorded = Set<Int64>()
        for stored in events {
            if case .evaluation(let id)? = stored.link { recorded.insert(id) }
            try checkFactEvent(stored)
        }
        if let unrecorded = rows.first(where: { !recorded.contains($0.id) }) {
            throw Self.tampered("evaluation #\(unrecorded.id) of \(record.model)@\(record.number) is recorded by no ledger event")
        }
        return rows
    }

    /// Rebuilds one fact event's document from its rows and checks the stored document is intact.
    private func checkFactEvent(_ stored: StoredEvent) throws(RegistryError) {
        if let mismatch = try factMismatch(stored) { throw Self.tampered(mismatch) }
        if let record = stored.event?.record {
            _ = try storeBlob { () throws(ContentStoreError) in try blobs.readVerified(record) }
        }
    }

    static func tampered(_ what: String) -> RegistryError {
        RegistryError(
            .integrity, "\(what): the database was changed outside mreg, so nothing was decided on it",
            hint: "run 'mreg verify --all' to see everything affected, and restore the database from a backup")
    }
}
