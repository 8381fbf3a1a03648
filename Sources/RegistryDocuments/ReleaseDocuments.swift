import Foundation
import Policy
import RegistryKit
import RegistryModel

/// A version as events and reports name it: `churn@7` and its manifest digest.
public struct PointerDocument: Codable {
    public let reference: String
    public let version: Int
    public let digest: String

    public init(_ pointer: VersionPointer) {
        reference = pointer.reference
        version = pointer.number
        digest = pointer.manifestDigest.description
    }
}

public struct GateDocument: Codable {
    public let gate: String
    public let metric: String?
    public let outcome: String
    public let actual: JSONValue?
    public let required: JSONValue?
    /// computed, reported or registered: where the metric value came from.
    public let provenance: String?
    public let detail: String

    public init(_ result: GateResult) {
        provenance = result.provenance?.rawValue
        gate = result.gate
        metric = result.metric
        outcome = result.outcome.rawValue
        actual = result.actual
        required = result.required
        detail = result.detail
    }
}

/// One ledger event.
public struct EventDocument: Codable {
    public let sequence: Int64
    public let at: String
    /// nil for dataset events, which belong to no model.
    public let model: String?
    public let alias: String?
    public let action: String
    public let from: PointerDocument?
    public let to: PointerDocument?
    public let actor: RegistrantDocument
    public let reason: String?
    public let forced: Bool
    public let gates: JSONValue
    public let digest: String
    public let previousDigest: String?
    /// The document a fact event commits to.
    public let record: String?

    public init(_ recorded: RecordedEvent) {
        record = recorded.event.record?.description
        let event = recorded.event
        sequence = event.sequence
        at = Timestamp.format(event.at)
        model = event.model?.value
        alias = event.alias?.value
        action = event.action.rawValue
        from = event.from.map(PointerDocument.init)
        to = event.to.map(PointerDocument.init)
        actor = RegistrantDocument(event.actor)
        reason = event.reason
        forced = event.forced
        // A report that does not parse (edited behind mreg's back; verify names the event) is shown as stored.
        gates = (try? JSONParser.parse(event.gates)) ?? .string(event.gates)
        digest = recorded.digest.description
        previousDigest = event.previousDigest?.description
    }
}

public struct PromoteDocument: Codable {
    public let model: String
    public let alias: String
    public let version: PointerDocument
    public let previous: PointerDocument?
    /// moved, unchanged, refused or dry_run.
    public let result: String
    /// Whether the alias moved, or with --dry-run would move.
    public let wouldMove: Bool
    public let warnings: [String]
    public let forced: Bool
    public let gates: [GateDocument]
    public let event: EventDocument?

    public init(_ outcome: PromotionOutcome) {
        model = outcome.version.model.value
        alias = outcome.alias.value
        version = PointerDocument(outcome.version)
        previous = outcome.previous.map(PointerDocument.init)
        wouldMove = outcome.wouldMove
        warnings = outcome.warnings
        switch outcome.result {
        case .moved(let recorded):
            result = "moved"
            event = EventDocument(recorded)
        case .unchanged:
            result = "unchanged"
            event = nil
        case .refused:
            result = "refused"
            event = nil
        case .dryRun:
            result = "dry_run"
            event = nil
        }
        forced = outcome.forced
        gates = outcome.report.results.map(GateDocument.init)
    }
}

public struct RollbackDocument: Codable {
    public let model: String
    public let alias: String
    public let from: PointerDocument?
    public let to: PointerDocument
    public let skipped: [String]
    public let event: EventDocument

    public init(model: String, alias: String, from: PointerDocument?, to: PointerDocument, skipped: [String], event: EventDocument) {
        self.model = model
        self.alias = alias
        self.from = from
        self.to = to
        self.skipped = skipped
        self.event = event
    }
}

public struct DemoteDocument: Codable {
    public let model: String
    public let alias: String
    public let previous: PointerDocument?
    public let changed: Bool
    public let event: EventDocument?

    public init(model: String, alias: String, previous: PointerDocument?, changed: Bool, event: EventDocument?) {
        self.model = model
        self.alias = alias
        self.previous = previous
        self.changed = changed
        self.event = event
    }
}

/// What `deprecate`, `lift` and `annotate` print: the version, and the event when one was written.
public struct VersionEventDocument: Codable {
    public let reference: String
    /// The version number, as every document names it.
    public let version: Int
    public let digest: String
    public let changed: Bool
    public let event: EventDocument?

    public init(_ record: VersionRecord, event: RecordedEvent?) {
        reference = "\(record.model)@\(record.number)"
        version = record.number
        digest = record.manifestDigest.description
        changed = event != nil
        self.event = event.map(EventDocument.init)
    }
}



public struct HistoryDocument: Codable {
    public struct Head: Codable {
        public let sequence: Int64
        public let digest: String

        public init(sequence: Int64, digest: String) {
            self.sequence = sequence
            self.digest = digest
        }
    }
    public let model: String
    public let alias: String?
    public let total: Int
    public let head: Head?
    /// Newest first.
    public let events: [EventDocument]

    public init(model: String, alias: String?, total: Int, head: Head?, events: [EventDocument]) {
        self.model = model
        self.alias = alias
        self.total = total
        self.head = head
        self.events = events
    }
}

/// `history --at`: what each alias pointed at then.
public struct AliasesAtDocument: Codable {
    public struct Entry: Codable {
        public let alias: String
        public let version: PointerDocument?
        public let since: String
        public let event: Int64

        public init(alias: String, version: PointerDocument?, since: String, event: Int64) {
            self.alias = alias
            self.version = version
            self.since = since
            self.event = event
        }
    }
    public let model: String
    public let at: String
    public let aliases: [Entry]

    public init(model: String, at: String, aliases: [Entry]) {
        self.model = model
        self.at = at
        self.aliases = aliases
    }
}

public struct SignDocument: Codable {
    public let reference: String
    /// The version number, as every document names it.
    public let version: Int
    public let digest: String
    public let key: String
    public let keyFingerprint: String
    public let created: Bool

    public init(reference: String, version: Int, digest: String, key: String, keyFingerprint: String, created: Bool) {
        self.reference = reference
        self.version = version
        self.digest = digest
        self.key = key
        self.keyFingerprint = keyFingerprint
        self.created = created
    }
}

public struct KeyDocument: Codable {
    public let name: String
    public let fingerprint: String
    public let path: String

    public init(name: String, fingerprint: String, path: String) {
        self.name = name
        self.fingerprint = fingerprint
        self.path = path
    }
}

public struct KeysGenerateDocument: Codable {
    public let privateKey: String
    public let publicKey: String
    public let fingerprint: String

    public init(privateKey: String, publicKey: String, fingerprint: String) {
        self.privateKey = privateKey
        self.publicKey = publicKey
        self.fingerprint = fingerprint
    }
}

public struct KeysTrustDocument: Codable {
    public let key: KeyDocument
    public let added: Bool

    public init(key: KeyDocument, added: Bool) {
        self.key = key
        self.added = added
    }
}

public struct KeysListDocument: Codable {
    public let keys: [KeyDocument]

    public init(keys: [KeyDocument]) {
        self.keys = keys
    }
}

public struct SignatureDocument: Codable {
    public let key: String
    public let fingerprint: String
    public let state: String
    public let signedAt: String
    public let signedBy: String

    public init(_ check: SignatureCheck) {
        key = check.keyName
        fingerprint = check.fingerprint.description
        state = check.state.rawValue
        signedAt = Timestamp.format(check.signedAt)
        signedBy = check.signedBy
    }
}

/// What `mreg retention` prints: per model, its rule and the versions deleted (or, without
/// `--apply`, to be deleted), those kept only for their aliases, and those skipped.
public struct RetentionDocument: Codable {
    public struct Rule: Codable {
        public let keepLast: Int?
        public let minAge: String?
        public let protectAliases: [String]
    }
    public struct Deletion: Codable {
        public let reference: String
        public let version: Int
        public let createdAt: String
        public let why: String
        public let event: EventDocument?
    }
    public struct Skipped: Codable {
        public let reference: String
        public let problem: String
    }
    public struct Model: Codable {
        public let model: String
        public let rule: Rule
        public let deleted: [Deletion]
        /// Versions past the limits kept because they hold an alias or held a protected one.
        public let protected: [Int]
        public let skipped: [Skipped]
    }
    /// False when config.toml has no [retention] section.
    public let configured: Bool
    public let applied: Bool
    public let models: [Model]

    public init(_ outcome: RetentionOutcome) {
        configured = outcome.configured
        applied = outcome.applied
        models = outcome.models.map { result in
            let name = result.model.value
            return Model(
                model: name,
                rule: Rule(keepLast: result.rule.keepLast, minAge: result.rule.minAge?.text, protectAliases: result.rule.protectAliases),
                deleted: result.deletions.map {
                    Deletion(reference: "\(name)@\($0.number)", version: $0.number, createdAt: Timestamp.format($0.createdAt), why: $0.why, event: $0.event.map(EventDocument.init))
                },
                protected: result.protected, skipped: result.skipped.map { Skipped(reference: "\(name)@\($0.number)", problem: $0.problem) })
        }
    }
}
