import Foundation
import Policy
import RegistryKit
import RegistryModel

/// A version as events and reports name it: `churn@7` and its manifest digest.
struct PointerDocument: Encodable {
    let reference: String
    let version: Int
    let digest: String

    init(_ pointer: VersionPointer) {
        reference = pointer.reference
        version = pointer.number
        digest = pointer.manifestDigest.description
    }
}

struct GateDocument: Encodable {
    let gate: String
    let metric: String?
    let outcome: String
    let actual: JSONValue?
    let required: JSONValue?
    /// computed, reported or registered: where the metric value came from.
    let provenance: String?
    let detail: String

    init(_ result: GateResult) {
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
struct EventDocument: Encodable {
    let sequence: Int64
    let at: String
    /// nil for dataset events, which belong to no model.
    let model: String?
    let alias: String?
    let action: String
    let from: PointerDocument?
    let to: PointerDocument?
    let actor: RegistrantDocument
    let reason: String?
    let forced: Bool
    let gates: JSONValue
    let digest: String
    let previousDigest: String?
    /// The document a fact event commits to.
    let record: String?

    init(_ recorded: RecordedEvent) {
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

struct PromoteDocument: Encodable {
    let model: String
    let alias: String
    let version: PointerDocument
    let previous: PointerDocument?
    /// moved, unchanged, refused or dry_run.
    let result: String
    /// Whether the alias moved, or with --dry-run would move.
    let wouldMove: Bool
    let warnings: [String]
    let forced: Bool
    let gates: [GateDocument]
    let event: EventDocument?

    init(_ outcome: PromotionOutcome) {
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

struct RollbackDocument: Encodable {
    let model: String
    let alias: String
    let from: PointerDocument?
    let to: PointerDocument
    let skipped: [String]
    let event: EventDocument
}

struct DemoteDocument: Encodable {
    let model: String
    let alias: String
    let previous: PointerDocument?
    let changed: Bool
    let event: EventDocument?
}

/// What `deprecate`, `lift` and `annotate` print: the version, and the event when one was written.
struct VersionEventDocument: Encodable {
    let reference: String
    /// The version number, as every document names it.
    let version: Int
    let digest: String
    let changed: Bool
    let event: EventDocument?

    init(_ record: VersionRecord, event: RecordedEvent?) {
        reference = "\(record.model)@\(record.number)"
        version = record.number
        digest = record.manifestDigest.description
        changed = event != nil
        self.event = event.map(EventDocument.init)
    }
}



struct HistoryDocument: Encodable {
    struct Head: Encodable {
        let sequence: Int64
        let digest: String
    }
    let model: String
    let alias: String?
    let total: Int
    let head: Head?
    /// Newest first.
    let events: [EventDocument]
}

/// `history --at`: what each alias pointed at then.
struct AliasesAtDocument: Encodable {
    struct Entry: Encodable {
        let alias: String
        let version: PointerDocument?
        let since: String
        let event: Int64
    }
    let model: String
    let at: String
    let aliases: [Entry]
}

struct SignDocument: Encodable {
    let reference: String
    /// The version number, as every document names it.
    let version: Int
    let digest: String
    let key: String
    let keyFingerprint: String
    let created: Bool
}

struct KeyDocument: Encodable {
    let name: String
    let fingerprint: String
    let path: String
}

struct KeysGenerateDocument: Encodable {
    let privateKey: String
    let publicKey: String
    let fingerprint: String
}

struct KeysTrustDocument: Encodable {
    let key: KeyDocument
    let added: Bool
}

struct KeysListDocument: Encodable {
    let keys: [KeyDocument]
}

struct SignatureDocument: Encodable {
    let key: String
    let fingerprint: String
    let state: String
    let signedAt: String
    let signedBy: String

    init(_ check: SignatureCheck) {
        key = check.keyName
        fingerprint = check.fingerprint.description
        state = check.state.rawValue
        signedAt = Timestamp.format(check.signedAt)
        signedBy = check.signedBy
    }
}
