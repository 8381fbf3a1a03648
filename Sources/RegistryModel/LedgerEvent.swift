import Foundation

/// One entry of the registry's append-only ledger: an alias move, a change of a version's status,
/// or the recording of a fact (a registration, an evaluation, a signature, a dataset).
///
/// Each event carries the digest of the one before it, so the ledger is a hash chain: changing,
/// removing or reordering any event behind mreg's back breaks every digest after it, and
/// `mreg verify` names the first event that no longer fits. A fact's event also carries the
/// digest of the fact's document (`RecordDocument`), kept as a blob, so an edited or deleted
/// row no longer matches what the chain committed to.
public struct LedgerEvent: Sendable, Equatable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case promote
        case demote
        case rollback
        case deprecate
        /// A version was recorded; `record` is its registration document.
        case register
        /// An evaluation of `to` was recorded; `record` is the evaluation document.
        case evaluate
        /// A signature of `to` was stored; `record` is the signature document.
        case sign
        /// A dataset's content (listing and column statistics) was first recorded; no model.
        case recordDataset = "record_dataset"
        /// `mreg dataset add` gave a dataset a name; no model.
        case nameDataset = "name_dataset"
        /// A version's deprecation was lifted (`mreg lift --deprecation`).
        case liftDeprecation = "lift_deprecation"
        /// A version's rolled-back mark for `alias` was lifted (`mreg lift --rollback ALIAS`).
        case liftRollback = "lift_rollback"
        /// Labels or the description of a version were changed after registration; `record` is
        /// the annotation document (the manifest keeps what was registered).
        case annotate
        /// `mreg drift --record` kept a drift report of `to`; `record` is the report's document.
        case recordDrift = "record_drift"
        /// A version was deleted (`mreg delete`): its record and events stay, its files may be
        /// collected by gc.
        case delete
        /// A deleted version was restored (`mreg undelete`) while its files were still stored.
        case undelete

        /// Actions that move an alias or mark a version: what `history` shows by default.
        public var isRelease: Bool {
            switch self {
            case .promote, .demote, .rollback, .deprecate, .liftDeprecation, .liftRollback, .annotate, .delete, .undelete: true
            case .register, .evaluate, .sign, .recordDataset, .nameDataset, .recordDrift: false
            }
        }

        /// Actions whose `record` is a document rebuilt from one version's rows (its
        /// registration, evaluations, signatures, annotations and drift reports): `verify`
        /// checks them version by version, and the others (datasets') as it reads the ledger.
        public var recordsVersionFact: Bool {
            switch self {
            case .register, .evaluate, .sign, .annotate, .recordDrift: true
            default: false
            }
        }

        /// Actions that move an alias: the alias's holder is its latest such event.
        public var movesAlias: Bool { self == .promote || self == .demote || self == .rollback }
    }

    /// Position in the ledger: 1, 2, 3, … with no gaps.
    public let sequence: Int64
    public let at: Date
    /// The model concerned; nil for dataset events, which belong to no model.
    public let model: ModelName?
    /// The alias moved; nil for a status change (`deprecate`).
    public let alias: AliasName?
    public let action: Action
    /// The version the alias pointed at before (nil: it pointed at nothing).
    public let from: VersionPointer?
    /// The version it points at after (nil after `demote`); the version concerned for `deprecate`.
    public let to: VersionPointer?
    public let actor: Registrant
    public let reason: String?
    /// Whether failed gates were overridden with `--force`.
    public let forced: Bool
    /// The gate report as canonical JSON (`[]` when no gates ran).
    public let gates: String
    /// The digest of the document this event records (fact events only).
    public let record: Digest?
    public let previousDigest: Digest?

    public init(
        sequence: Int64, at: Date, model: ModelName?, alias: AliasName?, action: Action, from: VersionPointer?, to: VersionPointer?,
        actor: Registrant, reason: String?, forced: Bool, gates: String, record: Digest? = nil, previousDigest: Digest?
    ) {
        self.record = record
        self.sequence = sequence
        self.at = at
        self.model = model
        self.alias = alias
        self.action = action
        self.from = from
        self.to = to
        self.actor = actor
        self.reason = reason
        self.forced = forced
        self.gates = gates
        self.previousDigest = previousDigest
    }

    /// The bytes the event's digest is computed over: canonical JSON of every field.
    ///
    /// Versions appear by number and manifest digest, so the chain stays meaningful outside the
    /// database (an exported ledger can be checked against the blobs alone).
    public func canonicalBytes() -> [UInt8] {
        func pointer(_ version: VersionPointer?) -> JSONValue {
            guard let version else { return .null }
            return .object(["version": .integer(Int64(version.number)), "digest": .string(version.manifestDigest.description)])
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var members: [String: JSONValue] = [
            "format": .string("mreg-event-v1"),
            "sequence": .integer(sequence),
            "at": .string(Timestamp.format(at)),
            "model": text(model?.value),
            "alias": text(alias?.value),
            "action": .string(action.rawValue),
            "from": pointer(from),
            "to": pointer(to),
            "actor": actor.documentValue,
            "reason": text(reason),
            "forced": .bool(forced),
            "gates": .string(gates),
            "previous": text(previousDigest?.description),
        ]
        // Only fact events have the member, so the bytes of every earlier event stay as they were.
        if let record { members["record"] = .string(record.description) }
        // Every value above is a string, integer, boolean or null: encoding cannot fail.
        return CanonicalJSON.encodeWithoutNumbers(.object(members))
    }
}

/// An event as stored: the event and the digest recorded with it.
public struct RecordedEvent: Sendable, Equatable {
    public let event: LedgerEvent
    public let digest: Digest

    public init(event: LedgerEvent, digest: Digest) {
        self.event = event
        self.digest = digest
    }
}
