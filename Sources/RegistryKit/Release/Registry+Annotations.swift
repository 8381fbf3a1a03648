import RegistryStorage
import Foundation
import RegistryModel

/// A mark `mreg lift` takes away.
public enum LiftedMark: Sendable, Equatable {
    case deprecation
    /// The rolled-back mark for one alias.
    case rollback(alias: String)
}

extension Registry {
    /// Changes a version's labels or description after registration, as an `annotate` ledger
    /// event; the manifest keeps what was registered.
    public func annotate(reference: String, _ annotation: Annotation, reason: String?, actor: Registrant) throws(RegistryError) -> (record: VersionRecord, event: RecordedEvent?) {
        guard !annotation.isEmpty else {
            throw .usage("give --label KEY=VALUE, --unset-label KEY or --description TEXT", hint: "see 'mreg annotate --help'")
        }
        for key in annotation.labels.keys where annotation.removedLabels.contains(key) {
            throw .usage("label '\(key)' is both set and unset", hint: "give one of --label \(key)=… and --unset-label \(key)")
        }
        let record = try resolve(reference: reference)
        let (labels, description) = record.annotated(by: try annotations(of: record))
        // Only what changes is recorded; an annotation that changes nothing writes nothing.
        let change = Annotation(
            labels: annotation.labels.filter { labels[$0.key] != $0.value },
            removedLabels: annotation.removedLabels.filter { labels[$0] != nil },
            description: annotation.description.flatMap { text in (text.isEmpty ? nil : text) == description ? nil : text })
        if change.isEmpty { return (record, nil) }
        let lock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "annotate")
        defer { withExtendedLifetime(lock) {} }
        let event = try retryingCollected { (fence) throws(RegistryError) in
            let document = try storeRecord(change.document(manifest: record.manifestDigest), what: "annotation")
            return try database { (db) throws(MetadataError) in
                try db.insertAnnotation(
                    versionID: record.id, change, at: clock(), actor: actor, reason: Self.trimmed(reason), record: document,
                    fence: BlobFence(position: fence, digests: [document]), seal: Self.sealEvent)
            }
        }
        return (record, event)
    }

    /// A version's annotations, oldest first, each checked against its ledger event's document
    /// (one added or deleted behind mreg's back is an integrity failure).
    public func annotations(of record: VersionRecord) throws(RegistryError) -> [RecordedAnnotation] {
        try checkedAnnotations(of: record)
    }

    /// Lifts a deprecation, or the rolled-back mark of one alias, with a reason, as a ledger event.
    public func lift(reference: String, mark: LiftedMark, reason: String?, actor: Registrant) throws(RegistryError) -> (record: VersionRecord, event: RecordedEvent) {
        guard let reason = Self.trimmed(reason) else {
            throw .usage("lift needs --reason TEXT: lifting a mark is recorded with why")
        }
        let record = try resolve(reference: reference)
        let status = try database { (db) throws(MetadataError) in try db.status(versionID: record.id) }
        let name = "\(record.model)@\(record.number)"
        let draft: EventDraft
        switch mark {
        case .deprecation:
            guard status.deprecation != nil else {
                throw RegistryError(.refused, "\(name) is not deprecated; nothing was changed")
            }
            draft = EventDraft(
                model: record.model, alias: nil, action: .liftDeprecation, toVersionID: record.id, at: clock(), actor: actor, reason: reason,
                forced: false, gates: "[]", expectedHolderID: nil)
        case .rollback(let aliasText):
            let alias = try Self.aliasName(aliasText)
            guard status.rollback(from: alias.value) != nil else {
                let marks = status.rolledBackFrom.keys.sorted()
                throw RegistryError(
                    .refused, "\(name) was not rolled back from \(alias); nothing was changed",
                    hint: marks.isEmpty ? nil : "it was rolled back from \(marks.joined(separator: ", "))")
            }
            draft = EventDraft(
                model: record.model, alias: alias, action: .liftRollback, toVersionID: record.id, at: clock(), actor: actor, reason: reason,
                forced: false, gates: "[]", expectedHolderID: nil)
        }
        guard case .appended(let event) = try appendEvent(draft) else { throw .bug("lifting a mark wrote no event") }
        return (record, event)
    }
}
