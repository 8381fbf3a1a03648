import RegistryStorage
import RegistryModel

extension Registry {
    /// Resolves a reference typed by a user (`churn`, `churn@3`, `churn@sha256:…`).
    public func resolve(reference text: String) throws(RegistryError) -> VersionRecord {
        try resolve(try VersionRef.parse(text))
    }

    /// Resolves a parsed reference to the full record of the version it names, checked against
    /// its manifest and registration event (exit 5 when the rows were changed outside mreg).
    public func resolve(_ reference: VersionRef) throws(RegistryError) -> VersionRecord {
        try resolveChecked(reference).record
    }

    /// `resolve`, with the version's fact events its check read (for the checks of its other facts).
    func resolveChecked(_ reference: VersionRef) throws(RegistryError) -> (record: VersionRecord, events: [StoredEvent]) {
        let record = try record(id: try resolveID(reference), reference: reference)
        return (record, try checkFacts(of: record))
    }

    /// Everything `show` prints about a version, each fact checked against the ledger (see
    /// `resolve`, `evaluations(of:)`, `annotations(of:)`), the version's fact events read once.
    public func details(reference text: String) throws(RegistryError) -> VersionDetails {
        let reference = try VersionRef.parse(text)
        // Read at once (one statement on a database server, which also finds a version named by
        // number or by alias: what deploy jobs ask for), then checked as each read alone is.
        var facts: VersionFacts?
        switch reference.selector {
        case .number(let number): facts = try database { (db) throws(MetadataError) in try db.versionFacts(.number(reference.model, number)) }
        case .latest: facts = try database { (db) throws(MetadataError) in try db.versionFacts(.number(reference.model, nil)) }
        case .alias(let alias): facts = try database { (db) throws(MetadataError) in try db.versionFacts(.alias(reference.model, alias)) }
        case .digestPrefix: break
        }
        if facts == nil {
            // Found another way, or not found: `resolveID` says why.
            let id = try resolveID(reference)
            facts = try database { (db) throws(MetadataError) in try db.versionFacts(.key(id)) }
        }
        guard let facts else { throw .notFound("version '\(reference)' disappeared while it was read") }
        let record = facts.record
        let events = try checkFacts(of: record, events: facts.factEvents)
        return VersionDetails(
            record: record, release: try releaseState(of: record, aliases: facts.aliases, status: facts.status, signatures: facts.signatures),
            evaluations: try checkedEvaluations(of: record, events: events, rows: facts.evaluations),
            annotations: try checkedAnnotations(of: record, events: events, rows: facts.annotations))
    }

    /// The version's record as the rows say, unchecked: for `verify`, which reports what it finds.
    func record(id: VersionKey, reference: VersionRef) throws(RegistryError) -> VersionRecord {
        guard let record = try database({ (db) throws(MetadataError) in try db.record(id: id) }) else {
            throw .notFound("version '\(reference)' disappeared while it was read")
        }
        return record
    }

    /// The database key of the version a reference names.
    func resolveID(_ reference: VersionRef) throws(RegistryError) -> VersionKey {
        let model = reference.model
        let id: VersionKey?
        switch reference.selector {
        case .latest:
            id = try database { (db) throws(MetadataError) in try db.versionID(model: model, number: nil) }
        case .number(let number):
            id = try database { (db) throws(MetadataError) in try db.versionID(model: model, number: number) }
        case .alias(let alias):
            try requireModel(model)
            id = try database { (db) throws(MetadataError) in try db.holder(model: model, alias: alias) }
            if id == nil {
                let everSet = try database { (db) throws(MetadataError) in try db.events(model: model, alias: alias, limit: 1).total } > 0
                throw .notFound(
                    everSet ? "alias '\(alias)' of model '\(model)' points at no version (it was demoted)" : "model '\(model)' has no alias '\(alias)'",
                    hint: "run 'mreg list \(model)' to see its aliases, or 'mreg promote \(model)@N --to \(alias)'")
            }
        case .digestPrefix(let prefix):
            let ids = try database { (db) throws(MetadataError) in try db.versionIDs(model: model, digestPrefix: prefix) }
            if ids.count > 1 {
                throw .usage("the digest prefix in '\(reference)' matches several versions", hint: "give more hex digits")
            }
            id = ids.first
        }
        guard let id else {
            try requireModel(model)
            let latest = try database { (db) throws(MetadataError) in try db.latestNumber(of: model) }
            throw .notFound("'\(reference)' names no version of model '\(model)'", hint: "its versions are 1 to \(latest ?? 0); run 'mreg list \(model)'")
        }
        return id
    }

    /// Every model with its version count and latest version; with `labels` (`owner=risk`), only
    /// the models with a version that carries every one of them.
    public func models(labelled labels: [String] = []) throws(RegistryError) -> [ModelSummary] {
        var chosen: Set<ModelName>?
        for text in labels {
            let (key, value) = try InputParsing.keyValue(text, flag: "--label")
            let found = try database { (db) throws(MetadataError) in try db.modelNames(labelled: key, value) }
            chosen = chosen.map { $0.intersection(found) } ?? found
        }
        let models = try database { (db) throws(MetadataError) in try db.models() }
        return chosen.map { chosen in models.filter { chosen.contains($0.name) } } ?? models
    }

    /// The newest `limit` versions of one model (all when nil) numbered below `after` (the page
    /// after the one that ended there), and the model's version count; deleted versions are left
    /// out of both unless `deleted`.
    public func versions(of name: String, limit: Int? = nil, after: Int? = nil, deleted: Bool = false) throws(RegistryError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool) {
        var filter = VersionFilter()
        filter.deleted = deleted
        return try versions(of: name, matching: filter, limit: limit, after: after)
    }

    /// The versions of one model that `filter` keeps, in its order (`list NAME --where …`), and
    /// how many it keeps (at least, when not `totalIsExact`); `after` pages only the default
    /// newest-first order.
    public func versions(of name: String, matching filter: VersionFilter, limit: Int?, after: Int?) throws(RegistryError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool) {
        let model = try Self.modelName(name)
        if after != nil, filter.order != .number {
            throw .usage("--after pages the newest-first order; with --sort, use --limit or --all")
        }
        try requireModel(model)
        return try database { (db) throws(MetadataError) in try db.versions(of: model, matching: filter, limit: limit, after: after) }
    }

    func requireModel(_ model: ModelName) throws(RegistryError) {
        guard try database({ (db) throws(MetadataError) in try db.modelExists(model) }) else {
            throw .notFound("no model named '\(model)' in this registry", hint: "run 'mreg list' to see the registered models")
        }
    }
}

/// A version as `show` presents it.
public struct VersionDetails: Sendable {
    public let record: VersionRecord
    public let release: ReleaseState
    public let evaluations: [EvaluationRecord]
    public let annotations: [RecordedAnnotation]
}
