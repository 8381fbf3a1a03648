import Foundation
import RegistryStorage
import RegistryModel

/// A page of a model's ledger.
public struct History: Sendable {
    /// Newest first.
    public let events: [RecordedEvent]
    public let total: Int
    /// The newest event of the whole ledger (every model), whose digest commits to all before it.
    public let head: (sequence: Int64, digest: Digest)?
}

extension Registry {
    /// A model's alias events (one alias's, when given), newest first; with `facts`, its
    /// registrations, evaluations and signatures too.
    public func history(model name: String, alias aliasText: String?, limit: Int?, facts: Bool = false) throws(RegistryError) -> History {
        let model = try Self.modelName(name)
        let alias = try aliasText.map { (text) throws(RegistryError) in try Self.aliasName(text) }
        try requireModel(model)
        let (events, total) = try database { (db) throws(MetadataError) in try db.events(model: model, alias: alias, limit: limit, facts: facts) }
        let head = try database { (db) throws(MetadataError) in try db.ledgerHead() }
        return History(events: events, total: total, head: head)
    }

    /// What each alias (or the one given) pointed at, at `date`: the last event at or before it.
    public func aliases(model name: String, alias aliasText: String?, at date: Date) throws(RegistryError) -> [AliasName: RecordedEvent] {
        let model = try Self.modelName(name)
        try requireModel(model)
        let names: [AliasName]
        if let aliasText {
            names = [try Self.aliasName(aliasText)]
        } else {
            names = try database { (db) throws(MetadataError) in try db.aliasNames(of: model) }
        }
        var result = [AliasName: RecordedEvent]()
        for alias in names {
            if let event = try database({ (db) throws(MetadataError) in try db.aliasEvent(model: model, alias: alias, at: date) }) {
                result[alias] = event
            }
        }
        return result
    }

    /// The aliases a version holds now, its status marks and its signatures, for `show` and `list`.
    public func releaseState(of record: VersionRecord) throws(RegistryError) -> ReleaseState {
        try releaseState(
            of: record, aliases: try database { (db) throws(MetadataError) in try db.aliases(of: record.model) },
            status: try database { (db) throws(MetadataError) in try db.status(versionID: record.id) },
            signatures: try database { (db) throws(MetadataError) in try db.signatures(versionID: record.id) })
    }

    /// The release state from the model's aliases and the version's status and signatures, already read.
    func releaseState(
        of record: VersionRecord, aliases: [AliasName: VersionPointer], status: VersionStatus, signatures stored: [StoredSignature]
    ) throws(RegistryError) -> ReleaseState {
        let signatures = try signatureChecks(of: record, stored: stored)
        return ReleaseState(
            aliases: aliases.filter { $0.value.number == record.number }.map(\.key).sorted(), deprecation: status.deprecation,
            rollback: status.rollback, deletion: status.deletion, signatures: signatures)
    }

    /// Current aliases of a model by version number, and which versions are deprecated or rolled back.
    public func releaseMarks(model name: String) throws(RegistryError) -> (aliases: [Int: [AliasName]], deprecated: Set<Int>, rolledBack: Set<Int>) {
        let model = try Self.modelName(name)
        let aliases = try database { (db) throws(MetadataError) in try db.aliases(of: model) }
        let marks = try database { (db) throws(MetadataError) in try db.statusMarks(of: model) }
        var byNumber = [Int: [AliasName]]()
        for (alias, pointer) in aliases { byNumber[pointer.number, default: []].append(alias) }
        return (byNumber.mapValues { $0.sorted() }, marks.deprecated, marks.rolledBack)
    }

    /// Every model's current aliases, for `mreg list`.
    public func allAliases() throws(RegistryError) -> [ModelName: [AliasName: Int]] {
        try database { (db) throws(MetadataError) in try db.allAliases() }
    }

    /// Marks a version as one that must not be promoted again (without `--force`).
    public func deprecate(reference: String, reason: String?, actor: Registrant) throws(RegistryError) -> (record: VersionRecord, event: RecordedEvent?) {
        guard let reason = Self.trimmed(reason) else {
            throw .usage("deprecate needs --reason TEXT: the reason is shown wherever the version is")
        }
        let record = try resolve(reference: reference)
        let status = try database { (db) throws(MetadataError) in try db.status(versionID: record.id) }
        if status.deprecation != nil { return (record, nil) }
        let draft = EventDraft(
            model: record.model, alias: nil, action: .deprecate, toVersionID: record.id, at: clock(), actor: actor, reason: reason,
            forced: false, gates: "[]", expectedHolderID: nil)
        guard case .appended(let event) = try appendEvent(draft) else { return (record, nil) }
        return (record, event)
    }
}

/// A version's place in the release process.
public struct ReleaseState: Sendable {
    public let aliases: [AliasName]
    public let deprecation: String?
    public let rollback: String?
    /// The standing `delete` event, when the version is deleted.
    public let deletion: VersionDeletion?
    public let signatures: [SignatureCheck]
}
