import Foundation
import RegistryStorage
import RegistryModel

extension Registry {
    /// Marks a version deleted, as a `delete` ledger event: its record, lineage and events stay,
    /// and its files stop counting as references, so gc may remove them. Refused while the version
    /// holds an alias (checked again in the event's transaction, so a racing promotion cannot slip
    /// in between); a version already deleted is left as it is (event nil). Its published OCI
    /// image is removed too, also when it was already deleted, so that running the command again
    /// completes a removal a failure interrupted; `note` says when the store keeps the image.
    public func delete(reference: String, reason: String?, actor: Registrant) throws(RegistryError) -> (
        record: VersionRecord, event: RecordedEvent?, note: String?
    ) {
        guard let reason = Self.trimmed(reason) else {
            throw .usage("delete needs --reason TEXT: a deletion is recorded with why", hint: "add --reason \"…\"")
        }
        let record = try resolve(reference: reference)
        let draft = EventDraft(
            model: record.model, alias: nil, action: .delete, toVersionID: record.id, at: clock(), actor: actor, reason: reason,
            forced: false, gates: "[]", expectedHolderID: nil, requirement: .deletable)
        switch try appendEvent(draft) {
        case .appended(let event): return (record, event, try unpublish(record))
        case .unchanged: return (record, nil, try unpublish(record))
        case .versionHoldsAliases(let aliases):
            let name = "\(record.model)@\(record.number)"
            let list = aliases.map(\.value).joined(separator: ", ")
            throw RegistryError(
                .refused, "\(name) holds \(list); a version that holds an alias cannot be deleted, and nothing was changed",
                hint: "move the alias first: 'mreg promote \(record.model)@N --to \(aliases[0])', 'mreg rollback \(record.model) \(aliases[0])' or 'mreg demote \(record.model) \(aliases[0])'")
        case .holderChanged, .versionDeleted: throw .bug("a deletion's event was checked as an alias move")
        }
    }

    /// Restores a deleted version, as an `undelete` ledger event, if gc has not removed any of
    /// its files yet: each is checked in the blob store after the collection fence is read, and
    /// the event is refused when gc began collecting one since (see `BlobCollectionLogging`); a
    /// version that is not deleted is left as it is (event nil). Its OCI image is published
    /// again, also when it was not deleted, so that running the command again completes a
    /// publication a failure interrupted; `note` says when it cannot be published.
    public func undelete(reference: String, reason: String?, actor: Registrant) throws(RegistryError) -> (
        record: VersionRecord, event: RecordedEvent?, note: String?
    ) {
        let record = try resolve(reference: reference)
        let name = "\(record.model)@\(record.number)"
        let status = try database { (db) throws(MetadataError) in try db.status(versionID: record.id) }
        guard let deletion = status.deletion else { return (record, nil, try publish(record)) }
        let tooLate = { (gone: Int, first: String) in
            RegistryError(
                .refused,
                "too late to undelete \(name): gc has removed \(gone) of its \(record.files.count) files (\(first) among them) since it was deleted on \(Timestamp.format(deletion.at)) (event #\(deletion.sequence)); nothing was changed",
                hint: "if you still have its files, register them again (the same content is \(name) again), then run 'mreg undelete \(name)'")
        }
        let fence = try collectionFence()
        let missing = record.files.filter { blobs.storedSize(of: $0.digest) != $0.size }
        if let first = missing.first { throw tooLate(missing.count, first.path) }
        let draft = EventDraft(
            model: record.model, alias: nil, action: .undelete, toVersionID: record.id, at: clock(), actor: actor, reason: Self.trimmed(reason),
            forced: false, gates: "[]", expectedHolderID: nil, requirement: .deleted,
            fence: BlobFence(position: fence, digests: record.files.map(\.digest)))
        let outcome: AppendOutcome
        do {
            outcome = try appendEvent(draft)
        } catch where !error.collectedBlobs.isEmpty {
            // gc was removing them as they were checked.
            let gone = Set(error.collectedBlobs)
            throw tooLate(gone.count, record.files.first { gone.contains($0.digest) }?.path ?? gone.first!.short)
        }
        switch outcome {
        case .appended(let event): return (record, event, try publish(record))
        case .unchanged: return (record, nil, try publish(record))
        case .holderChanged, .versionDeleted, .versionHoldsAliases: throw .bug("an undeletion's event was checked as another kind")
        }
    }

    /// Refuses to use a deleted version for `what` (export it, build on it).
    func requireLive(_ record: VersionRecord, toBe what: String) throws(RegistryError) {
        let status = try database { (db) throws(MetadataError) in try db.status(versionID: record.id) }
        if let deletion = status.deletion { throw Self.deletedVersion("\(record.model)@\(record.number)", deletion, cannot: what) }
    }

    /// The refusal to do something with a deleted version.
    static func deletedVersion(_ name: String, _ deletion: VersionDeletion, cannot what: String) -> RegistryError {
        RegistryError(
            .refused, "\(name) was deleted on \(Timestamp.format(deletion.at)) (event #\(deletion.sequence): \(deletion.reason)) and cannot \(what)",
            hint: "restore it with 'mreg undelete \(name)' while its files are still stored")
    }
}
