import Foundation
import RegistryModel

/// An event to append to the ledger; the database assigns its sequence number and chain link.
public struct EventDraft: Sendable {
    /// nil for dataset events, which belong to no model.
    public let model: ModelName?
    public let alias: AliasName?
    public let action: LedgerEvent.Action
    /// The version the alias moves to (nil for `demote`), or the version a status change concerns.
    public let toVersionID: VersionKey?
    public let at: Date
    public let actor: Registrant
    public let reason: String?
    public let forced: Bool
    public let gates: String
    /// The alias's holder the caller decided against; when it changed meanwhile, nothing is
    /// written and the caller re-evaluates (optimistic concurrency for racing promotions).
    public let expectedHolderID: VersionKey??
    /// The document a fact event commits to (already stored as a blob).
    public let record: Digest?
    /// The rows a fact event records, so `verify` can rebuild its document from them.
    public let link: RecordLink?
    /// What must still be true of the version concerned when the event is written, checked in
    /// the append's transaction (a check before it could race another writer).
    public let requirement: EventRequirement?
    /// The blobs the event makes referenced again (`undelete`), and where the collection log
    /// stood before they were found stored.
    public let fence: BlobFence?

    public init(
        model: ModelName?, alias: AliasName?, action: LedgerEvent.Action, toVersionID: VersionKey?, at: Date, actor: Registrant,
        reason: String?, forced: Bool, gates: String, expectedHolderID: VersionKey??, record: Digest? = nil, link: RecordLink? = nil,
        requirement: EventRequirement? = nil, fence: BlobFence? = nil
    ) {
        self.fence = fence
        self.record = record
        self.link = link
        self.requirement = requirement
        self.model = model
        self.alias = alias
        self.action = action
        self.toVersionID = toVersionID
        self.at = at
        self.actor = actor
        self.reason = reason
        self.forced = forced
        self.gates = gates
        self.expectedHolderID = expectedHolderID
    }
}

/// Where the store places an event in the chain: its sequence number, the versions it names,
/// and the previous event's digest.
public struct EventPlacement: Sendable {
    public let sequence: Int64
    public let from: VersionPointer?
    public let to: VersionPointer?
    public let previous: Digest?

    public init(sequence: Int64, from: VersionPointer?, to: VersionPointer?, previous: Digest?) {
        self.sequence = sequence
        self.from = from
        self.to = to
        self.previous = previous
    }
}

extension LedgerEvent {
    /// The event a draft becomes at its place in the chain: every field, nothing added.
    public init(_ draft: EventDraft, at place: EventPlacement) {
        self.init(
            sequence: place.sequence, at: draft.at, model: draft.model, alias: draft.alias, action: draft.action, from: place.from,
            to: place.to, actor: draft.actor, reason: draft.reason, forced: draft.forced, gates: draft.gates, record: draft.record,
            previousDigest: place.previous)
    }
}

/// Builds and hashes an event from its draft and place: given by RegistryKit, so every backend
/// appends byte-identical events and so the same chain.
public typealias EventSealer = @Sendable (EventDraft, EventPlacement) -> RecordedEvent

/// Which rows a fact event recorded (beside its version, for version facts).
public enum RecordLink: Sendable, Equatable {
    case evaluation(id: Int64)
    case signature(key: Digest)
    case dataset(Digest)
    case datasetName(String, Digest)
    /// The annotation recorded under the event's own sequence number.
    case annotation(sequence: Int64)
    /// The drift report recorded under the event's own sequence number.
    case driftReport(sequence: Int64)
}

/// The state the version an event concerns (`toVersionID`) must be in when it is written.
public enum EventRequirement: Sendable, Equatable {
    /// Not deleted: an alias may move only to a live version.
    case live
    /// Neither deleted nor holding an alias: what `delete` needs.
    case deletable
    /// Deleted: what `undelete` needs.
    case deleted
}

/// What appending an event did.
public enum AppendOutcome: Sendable, Equatable {
    case appended(RecordedEvent)
    /// The alias no longer points where the caller expected; nothing was written.
    case holderChanged(current: VersionKey?)
    /// The alias already points at the target version, or the version is already in the state
    /// the event would put it in (deleted, undeleted); nothing was written.
    case unchanged
    /// The version is deleted, and the event needs a live one; nothing was written.
    case versionDeleted
    /// The version holds these aliases, and its deletion needs it to hold none; nothing was written.
    case versionHoldsAliases([AliasName])
}

/// A signature stored with a version.
public struct StoredSignature: Sendable, Equatable {
    public let keyFingerprint: Digest
    public let keyName: String
    public let signature: [UInt8]
    public let signedAt: Date
    public let signedBy: String

    public init(keyFingerprint: Digest, keyName: String, signature: [UInt8], signedAt: Date, signedBy: String) {
        self.keyFingerprint = keyFingerprint
        self.keyName = keyName
        self.signature = signature
        self.signedAt = signedAt
        self.signedBy = signedBy
    }
}

/// The ledger's rows exactly as stored, for `verify` to re-derive every digest.
public struct StoredEvent: Sendable {
    /// The event rebuilt from its columns; nil when a column holds something mreg never writes.
    public let event: LedgerEvent?
    public let sequence: Int64
    public let digest: String
    public let problem: String?
    /// The version a fact event concerns (by database key) and the rows it links to.
    public let versionID: VersionKey?
    public let link: RecordLink?

    public init(event: LedgerEvent?, sequence: Int64, digest: String, problem: String?, versionID: VersionKey?, link: RecordLink?) {
        self.event = event
        self.sequence = sequence
        self.digest = digest
        self.problem = problem
        self.versionID = versionID
        self.link = link
    }
}
