import Foundation
import RegistryModel

/// What a metadata store must do, split by role. `RegistryKit` holds its store only through these;
/// the rules (rollback targets, how events are built and hashed, what a report says) stay in
/// `RegistryKit`, so every backend records the same facts and the same chain.

/// Versions: recording them (with their `register` events) and reading them back.
public protocol VersionStoring: Sendable {
    /// Records a version with its `register` event (and a `record_dataset` event for each dataset
    /// seen for the first time), or returns the existing one with the same manifest (idempotent retry).
    func insertVersion(_ new: NewVersion, seal: @escaping EventSealer) throws(MetadataError) -> InsertOutcome
    /// The version registered with this manifest, if any (a retried registration).
    func version(manifestDigest: Digest) throws(MetadataError) -> VersionPointer?
    /// The version a reference's selector names (the newest not deleted when `number` is nil),
    /// or nil when there is none.
    func versionID(model: ModelName, number: Int?) throws(MetadataError) -> VersionKey?
    /// Versions of `model` whose manifest digest starts with `hexPrefix` (at most two: enough to
    /// tell unique from ambiguous).
    func versionIDs(model: ModelName, digestPrefix hexPrefix: String) throws(MetadataError) -> [VersionKey]
    func modelExists(_ model: ModelName) throws(MetadataError) -> Bool
    /// The highest version number of a model, for "there are versions 1 to N" hints.
    func latestNumber(of model: ModelName) throws(MetadataError) -> Int?
    /// Every model with its count of versions not deleted and the newest of them, by name.
    func models() throws(MetadataError) -> [ModelSummary]
    /// The models with a version labelled `key=value` (read on the labels' index).
    func modelNames(labelled key: String, _ value: String) throws(MetadataError) -> Set<ModelName>
    /// The first `limit` versions of a model (all when nil) that `filter` keeps, in its order
    /// (newest first by default, then numbered below `after` when given), with their metrics, and
    /// how many it keeps in all, or at least when counting them all would cost too much
    /// (`totalIsExact` false); deleted versions are left out unless the filter asks for them.
    func versions(
        of model: ModelName, matching filter: VersionFilter, limit: Int?, after: Int?
    ) throws(MetadataError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool)
    /// Everything recorded about one version.
    func record(id: VersionKey) throws(MetadataError) -> VersionRecord?
    /// The records of these versions (a page of `verify --all`), read at once; each a failure of
    /// its own when its rows are not what mreg writes. A version that does not exist is absent.
    func records(ids: [VersionKey]) throws(MetadataError) -> [VersionKey: Result<VersionRecord, MetadataError>]
    /// Version keys in key order after `after` (from the first when nil), at most `limit`.
    func versionIDs(after: VersionKey?, limit: Int) throws(MetadataError) -> [VersionKey]
    /// The versions fine-tuned from a version (its children).
    func childIDs(of versionID: VersionKey) throws(MetadataError) -> [VersionKey]
    /// Versions that recorded a dataset at registration, and versions evaluated on it.
    func findings(dataset: Digest) throws(MetadataError) -> [Finding]
    /// Versions built from commits starting with `prefix`, and versions evaluated by code at them.
    func findings(commitPrefix prefix: String) throws(MetadataError) -> [Finding]
    /// Everything that references a blob: version files, manifests, predictions, dataset files.
    func findings(blob: Digest) throws(MetadataError) -> [Finding]
}

/// The ledger: appending events (the alias compare-and-swap) and reading aliases, marks and history.
public protocol LedgerStoring: Sendable {
    /// Appends one event in a single `BEGIN IMMEDIATE` transaction: the alias moves if and only if
    /// its event is written, and racing writers are ordered by SQLite's write lock.
    ///
    /// `hash` computes the event digest (MetadataStore does not link a crypto library);
    /// `stallBeforeCommit` holds the transaction open for crash tests.
    func appendEvent(_ draft: EventDraft, seal: @escaping EventSealer, stallBeforeCommit: Double) throws(MetadataError) -> AppendOutcome
    /// The version id an alias points at now (nil: at nothing, or the alias was never set).
    func holder(model: ModelName, alias: AliasName) throws(MetadataError) -> VersionKey?
    /// Every alias of a model that points at a version now, with that version.
    func aliases(of model: ModelName) throws(MetadataError) -> [AliasName: VersionPointer]
    /// Every alias a model has ever had, by name.
    func aliasNames(of model: ModelName) throws(MetadataError) -> [AliasName]
    /// Every current alias of every model, for `mreg list`.
    func allAliases() throws(MetadataError) -> [ModelName: [AliasName: Int]]
    /// The aliases a version holds or has ever held (for `require_from`).
    func aliasesEverHeld(versionID: VersionKey) throws(MetadataError) -> Set<String>
    /// Whether any version of any model has ever been moved to `alias`.
    func aliasEverUsed(_ alias: String) throws(MetadataError) -> Bool
    /// Why a version may not be promoted: its deprecation and its latest rollback, with reasons.
    func status(versionID: VersionKey) throws(MetadataError) -> VersionStatus
    /// What a rollback of `alias` can go back to: the current holder, and earlier holders newest
    /// first (by when each last arrived), up to and including the first that `isTarget` accepts
    /// (the rule is RegistryKit's). Reads rows only as far as needed, so a long history costs little.
    func rollbackPlan(model: ModelName, alias: AliasName, isTarget: @escaping @Sendable (RollbackCandidate) -> Bool) throws(MetadataError) -> RollbackPlan?
    /// Whether a version holds or has held an alias.
    func hasHeld(versionID: VersionKey, alias: AliasName) throws(MetadataError) -> Bool
    /// The numbers of a model's versions that hold or have held any of `aliases` (what retention
    /// protects), read down the alias index.
    func versionsEverHolding(model: ModelName, aliases: [AliasName]) throws(MetadataError) -> Set<Int>
    /// Version numbers of a model that are deprecated or were rolled back (marks not lifted), for `mreg list`.
    func statusMarks(of model: ModelName) throws(MetadataError) -> (deprecated: Set<Int>, rolledBack: Set<Int>)
    /// A model's events (one alias's, when given), newest first, and how many there are; only its
    /// alias moves and status changes unless `facts` asks for registrations, evaluations and
    /// signatures too.
    func events(model: ModelName, alias: AliasName?, limit: Int?, facts: Bool) throws(MetadataError) -> (events: [RecordedEvent], total: Int)
    /// The last event of an alias at or before `date`: what the alias pointed at then.
    func aliasEvent(model: ModelName, alias: AliasName, at date: Date) throws(MetadataError) -> RecordedEvent?
    /// The ledger's newest event: its sequence number and digest.
    func ledgerHead() throws(MetadataError) -> (sequence: Int64, digest: Digest)?
    /// The stored events after sequence number `after`, in sequence order, at most `limit`, each
    /// rebuilt from its columns without trusting them: the ledger read a page at a time.
    func storedEvents(after: Int64, limit: Int) throws(MetadataError) -> [StoredEvent]
    /// The fact events (registration, evaluations, signatures, annotations) of these versions, each
    /// version's in ledger order, and those of their drift reports when asked: `verify` checks them, while
    /// resolving a version (every command) need not read the thousands a version checked daily
    /// collects.
    func factEvents(versionIDs: [VersionKey], driftReports: Bool) throws(MetadataError) -> [StoredEvent]
}

extension LedgerStoring {
    /// The fact events of one version, oldest first.
    public func factEvents(versionID: VersionKey, driftReports: Bool) throws(MetadataError) -> [StoredEvent] {
        try factEvents(versionIDs: [versionID], driftReports: driftReports)
    }
}

/// Datasets: their contents, statistics and names.
public protocol DatasetStoring: Sendable {
    /// Records a dataset and names it, in one transaction; returns false when the name already
    /// had exactly this content (adding the same data twice is one record).
    ///
    /// `records` are the dataset's contents document and the name's document (already blobs) that
    /// its `record_dataset` (when new) and `name_dataset` events commit to.
    func addDataset(name: String, fingerprint: DatasetFingerprint, listing: [FileEntry], profiles: [StoredProfile], sourcePath: String, at date: Date, by actor: Registrant, records: (contents: Digest?, name: Digest), fence: BlobFence?, seal: @escaping EventSealer) throws(MetadataError) -> Bool
    /// Whether a dataset's content is recorded.
    func datasetExists(_ digest: Digest) throws(MetadataError) -> Bool
    /// Every dataset name with its newest content.
    func datasetNames() throws(MetadataError) -> [DatasetName]
    /// The digest a dataset name points at now (its newest content), or nil.
    func datasetDigest(named name: String) throws(MetadataError) -> Digest?
    /// Recorded datasets whose digest starts with `hexPrefix` (at most two).
    func datasetDigests(prefix hexPrefix: String) throws(MetadataError) -> [Digest]
    /// Everything recorded about a dataset, with the first `uses` of the versions that recorded it
    /// in registration order (all when nil) and how many did; with `uses` 0, neither is read (the contents' checks and
    /// drift need none). nil when the digest is unknown.
    func dataset(_ datasetDigest: Digest, uses: Int?) throws(MetadataError) -> DatasetDetails?
    /// The `dataset add` record of one name and content, or nil when it is gone.
    func datasetNameRecord(_ name: String, dataset: Digest) throws(MetadataError) -> DatasetName?
}

/// Evaluations of versions, with their `evaluate` events.
public protocol EvaluationStoring: Sendable {
    /// Records an evaluation with its `evaluate` event (and its dataset, if new) in one
    /// transaction; returns its id.
    func insertEvaluation(_ new: NewEvaluation, seal: @escaping EventSealer) throws(MetadataError) -> Int64
    /// A version's evaluations, oldest first.
    func evaluations(versionID: VersionKey) throws(MetadataError) -> [EvaluationRecord]
    /// The evaluations of a model's versions with these numbers (a page of `list`), oldest
    /// first, as stored (`show` checks each against its ledger event).
    func evaluations(model: ModelName, numbers: [Int]) throws(MetadataError) -> [EvaluationRecord]
    /// One evaluation by id.
    func evaluation(id: Int64) throws(MetadataError) -> EvaluationRecord?
    /// Every metric key any version of a model has had, registered or evaluated (`policy` warns
    /// about gates on keys outside this set).
    func metricKeysEverRecorded(model: ModelName) throws(MetadataError) -> Set<String>
}

/// Signatures of versions, with their `sign` events.
public protocol SignatureStoring: Sendable {
    /// Stores a signature and its `sign` event committing to `record` (the signature document);
    /// returns false, writing nothing, when this key had already signed the version.
    func insertSignature(versionID: VersionKey, _ signature: StoredSignature, actor: Registrant, record: Digest, fence: BlobFence?, seal: @escaping EventSealer) throws(MetadataError) -> Bool
    /// The signatures stored for a version, by key name.
    func signatures(versionID: VersionKey) throws(MetadataError) -> [StoredSignature]
    /// The signatures stored for these versions, each version's by key name.
    func signatures(versionIDs: [VersionKey]) throws(MetadataError) -> [VersionKey: [StoredSignature]]
}

/// Annotations of versions, with their `annotate` events.
public protocol AnnotationStoring: Sendable {
    /// Records an annotation and its `annotate` event (committing to `record`) in one transaction.
    func insertAnnotation(versionID: VersionKey, _ annotation: Annotation, at date: Date, actor: Registrant, reason: String?, record: Digest, fence: BlobFence?, seal: @escaping EventSealer) throws(MetadataError) -> RecordedEvent
    /// A version's annotations, oldest first.
    func annotations(versionID: VersionKey) throws(MetadataError) -> [RecordedAnnotation]
    /// The annotation an `annotate` event recorded, or nil when its row is gone.
    func annotation(sequence: Int64) throws(MetadataError) -> RecordedAnnotation?
}

/// Drift reports that `drift --record` kept, with their `record_drift` events. A report is
/// named by its event's sequence number, as an annotation is.
public protocol DriftReportStoring: Sendable {
    /// Records a drift report of a version and its `record_drift` event (committing to `record`,
    /// the report's document) in one transaction.
    func insertDriftReport(versionID: VersionKey, _ report: DriftRecord, at date: Date, actor: Registrant, record: Digest, fence: BlobFence?, seal: @escaping EventSealer) throws(MetadataError) -> RecordedEvent
    /// A version's drift reports, newest first: the first `limit` recorded before event `before`
    /// (from the newest when nil), each with the event stored under its number. A version
    /// checked every day has thousands, so they are read a page at a time and never by `show`.
    func driftReports(versionID: VersionKey, limit: Int, before: Int64?) throws(MetadataError) -> [StoredDriftReport]
    /// One drift report and its event, or nil when there is no report under that number.
    func driftReport(sequence: Int64) throws(MetadataError) -> StoredDriftReport?
}

/// A drift report as stored, and the event stored under its number, unchecked: RegistryKit
/// checks one against the other (nil when that event is gone).
public struct StoredDriftReport: Sendable {
    public let sequence: Int64
    public let versionID: VersionKey
    public let report: DriftRecord
    public let event: StoredEvent?

    public init(sequence: Int64, versionID: VersionKey, report: DriftRecord, event: StoredEvent?) {
        self.sequence = sequence
        self.versionID = versionID
        self.report = report
        self.event = event
    }
}

/// What `verify` and `gc` read across the store, and the one-time recording of rows written before fact events.
public protocol IntegrityStoring: Sendable {
    /// The blobs the given versions reference (their files and manifests, and the files of any
    /// dataset they stored), or of every version and stored dataset when `versionIDs` is nil.
    /// A deleted version's files are not references: gc may remove them.
    func blobReferences(versionIDs: [VersionKey]?) throws(MetadataError) -> BlobReferences
    /// Every reference to these digests, given as stored text (a malformed one too): whom a
    /// missing or corrupt blob affects.
    func blobReferences(digestTexts: [String]) throws(MetadataError) -> BlobReferences
    /// `blobReferences(versionIDs: nil)` a page at a time: the distinct digests referenced, as
    /// stored text, that sort after `after`, in order, at most `limit`, each with the largest
    /// size recorded for it (nil for a document, whose size is not recorded).
    func referencedBlobs(after: String?, limit: Int) throws(MetadataError) -> [(text: String, size: Int64?)]
    /// Rows of facts that no ledger event recorded, found with the indexes on the link columns.
    func unrecordedFacts(versionIDs: [VersionKey]?) throws(MetadataError) -> [UnrecordedFact]
    /// Versions (of these, or all) whose metric or label entries are filed under another model
    /// than theirs: `list` filters read those entries by model, so they would miss the version.
    func misfiledEntries(versionIDs: [VersionKey]?) throws(MetadataError) -> [MisfiledEntries]
    /// Whether rows written by an mreg without fact events still need theirs.
    func hasPendingFactEvents() throws(MetadataError) -> Bool
    /// Appends the fact events of rows written before they existed, in one transaction, and
    /// clears the marker; does nothing when another process already did it.
    func recordLegacyFacts(_ drafts: [EventDraft], seal: @escaping EventSealer) throws(MetadataError)
}

/// Ingest hints: what source files looked like when hashed. Meaningful on one machine only, so a local concern.
public protocol SourceHintStoring: Sendable {
    /// Remembers what source files looked like when hashed (see `SourceHint`).
    func recordHints(_ hints: [SourceHint]) throws(MetadataError)
    /// The digests last recorded for files whose identity is unchanged on disk.
    func knownDigests(_ files: [SourceIdentity]) throws(MetadataError) -> [SourceIdentity: Digest]
}

/// A store that copies every row it holds into another store of its implementation (`mreg
/// migrate`), keeping ids, sequence numbers and digests, so the ledger chain verifies on the other side.
public protocol MetadataCopying: Sendable {
    /// Whether `target` holds nothing, or only rows of this store (what an interrupted copy leaves).
    func holdsOnlyRowsOf(_ target: any MetadataCopying) throws(MetadataError) -> Bool
    /// Copies every row `target` does not hold yet, `batchSize` rows per target transaction;
    /// `afterBatch` is told the table and the rows copied so far. Returns the rows copied per table.
    func copyRows(
        to target: any MetadataCopying, batchSize: Int, afterBatch: (String, Int) -> Void
    ) throws(MetadataError) -> [(table: String, rows: Int)]
}

/// The access tokens of a registry server: names, roles and grants, and the SHA-256 of each
/// secret (the secret itself is shown once and never stored).
public protocol TokenStoring: Sendable {
    /// Records a new token; false (and nothing written) when its name is taken, revoked or not.
    func insertToken(_ token: AccessToken, secretDigest: Digest) throws(MetadataError) -> Bool
    /// Every token, revoked and expired ones too, by name.
    func tokens() throws(MetadataError) -> [AccessToken]
    /// The token whose secret has this SHA-256, if any, with the ledger's newest sequence number
    /// (0 when it is empty) read in the same statement: what a server's remembered answers are
    /// checked against, at no extra round trip.
    func token(secretDigest: Digest) throws(MetadataError) -> (token: AccessToken, ledgerHead: Int64)?
    /// Marks a token revoked at `date` unless it already is; nil when there is no such token.
    func revokeToken(named name: String, at date: Date) throws(MetadataError) -> AccessToken?
}

/// The web UI's sign-ins. A session is stored by the SHA-256 of its secret (the cookie's value),
/// never the secret, as tokens are.
public protocol WebSessionStoring: Sendable {
    /// Records a session, and removes those expired by its creation time.
    func insertWebSession(_ session: WebSession, secretDigest: Digest) throws(MetadataError)
    /// The session with this secret and the token it acts as; nil when there is none (expiry and
    /// the token's state are the caller's to judge).
    func webSession(secretDigest: Digest) throws(MetadataError) -> (session: WebSession, token: AccessToken)?
    /// Ends a session (signing out); nothing when there is none.
    func deleteWebSession(secretDigest: Digest) throws(MetadataError)
}

/// Reads the facts about one version that `show` prints, at once: a database server is asked
/// once rather than once per kind of fact.
public protocol VersionFactsReading: Sendable {
    /// nil when there is no such version.
    func versionFacts(_ version: VersionSelection) throws(MetadataError) -> VersionFacts?
}

/// Which version `versionFacts` reads: the one with a key, or a model's version by number (its
/// latest when nil), looked up in the same statement.
public enum VersionSelection: Sendable {
    case key(VersionKey)
    case number(ModelName, Int?)
    /// The version an alias names now (none when it was demoted, or never set).
    case alias(ModelName, AliasName)
}

/// One version's record and, read in the same snapshot, what the ledger and the other tables say
/// about it: each as the single-purpose reads of the other protocols return it.
public struct VersionFacts: Sendable {
    public let record: VersionRecord
    /// `LedgerStoring.factEvents(versionID:driftReports: false)`.
    public let factEvents: [StoredEvent]
    /// The model's current aliases, `LedgerStoring.aliases(of:)`.
    public let aliases: [AliasName: VersionPointer]
    public let status: VersionStatus
    public let signatures: [StoredSignature]
    public let evaluations: [EvaluationRecord]
    public let annotations: [RecordedAnnotation]

    public init(
        record: VersionRecord, factEvents: [StoredEvent], aliases: [AliasName: VersionPointer], status: VersionStatus, signatures: [StoredSignature],
        evaluations: [EvaluationRecord], annotations: [RecordedAnnotation]
    ) {
        self.record = record
        self.factEvents = factEvents
        self.aliases = aliases
        self.status = status
        self.signatures = signatures
        self.evaluations = evaluations
        self.annotations = annotations
    }
}

/// Everything a registry needs from its metadata store, on any machine.
public typealias SharedMetadataStoring = VersionStoring & LedgerStoring & DatasetStoring & EvaluationStoring & SignatureStoring & AnnotationStoring
    & DriftReportStoring
    & TokenStoring & WebSessionStoring
    & IntegrityStoring & VersionFactsReading & BlobCollectionLogging

extension VersionStoring {
    public func versions(of model: ModelName, limit: Int?) throws(MetadataError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool) {
        try versions(of: model, limit: limit, after: nil, deleted: false)
    }

    public func versions(of model: ModelName, limit: Int?, after: Int?) throws(MetadataError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool) {
        try versions(of: model, limit: limit, after: after, deleted: false)
    }

    /// The newest versions, deleted ones too when `deleted`, with no other filter.
    public func versions(of model: ModelName, limit: Int?, after: Int?, deleted: Bool) throws(MetadataError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool) {
        var filter = VersionFilter()
        filter.deleted = deleted
        return try versions(of: model, matching: filter, limit: limit, after: after)
    }
}

extension LedgerStoring {
    public func appendEvent(_ draft: EventDraft, seal: @escaping EventSealer) throws(MetadataError) -> AppendOutcome {
        try appendEvent(draft, seal: seal, stallBeforeCommit: 0)
    }

    public func events(model: ModelName, alias: AliasName?, limit: Int?) throws(MetadataError) -> (events: [RecordedEvent], total: Int) {
        try events(model: model, alias: alias, limit: limit, facts: false)
    }
}
