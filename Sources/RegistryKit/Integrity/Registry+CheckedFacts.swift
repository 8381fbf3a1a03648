import ContentHashing
import RegistryStorage
import Foundation
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
                if FileHashing.digest(of: try manifest.canonicalBytes()) == record.manifestDigest { return nil }
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
    /// registration record matches the document its `register` event committed to. Returns the
    /// version's fact events, for the checks of its other facts.
    /// `events` are the version's fact events when the caller has read them already.
    @discardableResult
    func checkFacts(of record: VersionRecord, events known: [StoredEvent]? = nil) throws(RegistryError) -> [StoredEvent] {
        let name = "\(record.model)@\(record.number)"
        if let fields = try manifestMismatch(record) {
            throw Self.tampered("the database's record of \(name) does not match its manifest" + (fields.isEmpty ? "" : " in \(fields.joined(separator: ", "))"))
        }
        try requireIntact(record.manifestDigest)
        let events: [StoredEvent]
        if let known { events = known } else { events = try database { (db) throws(MetadataError) in try db.factEvents(versionID: record.id, driftReports: false) } }
        guard let registration = events.first(where: { $0.event?.action == .register }) else {
            throw Self.tampered("\(name) is recorded by no registration event in the ledger")
        }
        if let mismatch = try factMismatch(registration, record: record) { throw Self.tampered(mismatch) }
        try requireStoredDocument(of: registration)
        return events
    }

    /// A version's evaluations, oldest first, each checked against the document its `evaluate`
    /// event committed to; one added or deleted behind mreg's back is an integrity failure.
    /// `events` are the version's fact events when the caller has read them already.
    /// `rows` are its evaluations when the caller has read them with the events.
    func checkedEvaluations(of record: VersionRecord, events: [StoredEvent]? = nil, rows: [EvaluationRecord]? = nil) throws(RegistryError) -> [EvaluationRecord] {
        try checkedRows(
            of: record, events: events, action: .evaluate, kind: "evaluation", key: \.id, document: RecordDocument.evaluation,
            rows: { (db) throws(MetadataError) in if let rows { rows } else { try db.evaluations(versionID: record.id) } }
        ) { link in
            if case .evaluation(let id)? = link { id } else { nil }
        }
    }

    /// A version's annotations, oldest first, checked as evaluations are.
    func checkedAnnotations(of record: VersionRecord, events: [StoredEvent]? = nil, rows: [RecordedAnnotation]? = nil) throws(RegistryError) -> [RecordedAnnotation] {
        try checkedRows(
            of: record, events: events, action: .annotate, kind: "annotation", key: \.sequence,
            document: { $0.annotation.document(manifest: record.manifestDigest) },
            rows: { (db) throws(MetadataError) in if let rows { rows } else { try db.annotations(versionID: record.id) } }
        ) { link in
            if case .annotation(let sequence)? = link { sequence } else { nil }
        }
    }

    /// Rows of one kind of fact about a version, checked against their events: every event's row
    /// is present and rebuilds its document (already read, so rebuilt without reading it again),
    /// every stored document is intact, and every row has its event.
    ///
    /// A row and its event are written in one transaction, and rows are never deleted, so the
    /// events are read before the rows: an event without its row is then tampering, never a
    /// race. A row without its event may be one committed since the events were read; the events
    /// are read once more before that is called tampering.
    private func checkedRows<Row>(
        of record: VersionRecord, events known: [StoredEvent]?, action: LedgerEvent.Action, kind: String, key: (Row) -> Int64,
        document: (Row) -> JSONValue, rows read: (any SharedMetadataStoring) throws(MetadataError) -> [Row], link: (RecordLink?) -> Int64?
    ) throws(RegistryError) -> [Row] {
        func factEvents() throws(RegistryError) -> [StoredEvent] {
            try database { (db) throws(MetadataError) in try db.factEvents(versionID: record.id, driftReports: false) }
        }
        let events: [StoredEvent]
        if let known { events = known } else { events = try factEvents() }
        let rows = try database(read)
        let byKey = Dictionary(rows.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        func check(_ events: [StoredEvent]) throws(RegistryError) -> Set<Int64> {
            var recorded = Set<Int64>()
            for stored in events where stored.event?.action == action {
                guard let event = stored.event, let id = link(stored.link) else { continue }
                recorded.insert(id)
                guard let row = byKey[id] else {
                    throw Self.tampered("\(kind) #\(id) of \(record.model)@\(record.number), recorded by ledger event #\(event.sequence), was deleted")
                }
                if let mismatch = try documentMismatch(document(row), event: event) { throw Self.tampered(mismatch) }
                try requireStoredDocument(of: stored)
            }
            return recorded
        }
        var recorded = try check(events)
        if rows.contains(where: { !recorded.contains(key($0)) }) { recorded = try check(try factEvents()) }
        if let unrecorded = rows.first(where: { !recorded.contains(key($0)) }) {
            throw Self.tampered("\(kind) #\(key(unrecorded)) of \(record.model)@\(record.number) is recorded by no ledger event")
        }
        return rows
    }

    /// The document a fact event committed to is in the blob store and intact.
    private func requireStoredDocument(of stored: StoredEvent) throws(RegistryError) {
        if let record = stored.event?.record { try requireIntact(record) }
    }

    /// A blob is in the store and hashes to its digest: read and re-hashed, unless this process
    /// found it so within the last `IntactBlobs.shared.seconds` (`mreg serve`, where reading
    /// every document of a version from an OCI registry on every `show` would bound the server
    /// at a few hundred answers a second). A blob's bytes cannot change and stay intact, so what
    /// is remembered is only that it was still there; `mreg verify` always reads it again.
    func requireIntact(_ digest: Digest) throws(RegistryError) {
        let key = blobs.location + " " + digest.description
        if IntactBlobs.shared.contains(key) { return }
        _ = try storeBlob { () throws(ContentStoreError) in try blobs.readVerified(digest) }
        IntactBlobs.shared.insert(key)
    }

    static func tampered(_ what: String) -> RegistryError {
        RegistryError(
            .integrity, "\(what): the database was changed outside mreg, so nothing was decided on it",
            hint: "run 'mreg verify --all' to see everything affected, and restore the database from a backup")
    }
}
