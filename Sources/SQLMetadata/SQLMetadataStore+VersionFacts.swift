import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// On PostgreSQL one statement (`SQLSession.rowSets`) that also finds the version, its own
    /// snapshot, so no transaction is opened around it; on SQLite the usual reads in one
    /// transaction.
    public func versionFacts(_ selection: VersionSelection) throws(MetadataError) -> VersionFacts? {
        try readStatement { db in
            if db.dialect.exactJSONAggregates {
                let version: SQLFragment
                var target: SQLFragment?
                if case .key(let id) = selection {
                    version = .version(id)
                } else if let found = keyQuery(selection) {
                    // Found once, in a table every query reads.
                    target = SQLFragment("target(id) AS (\(found.sql))", found.arguments)
                    version = SQLFragment("(SELECT id FROM target)")
                } else {
                    return nil
                }
                var sets = try db.rowSets([recordQuery(version: version)] + factQueries(version), sharing: target)
                guard let record = try sets.removeFirst().first.map(aggregatedRecord) else { return nil }
                return try facts(record, sets)
            }
            let id: VersionKey?
            if case .key(let key) = selection {
                id = key
            } else if let found = keyQuery(selection) {
                id = try db.value(found.sql, found.arguments)
            } else {
                id = nil
            }
            guard let id, let record = try fetchRecord(db, id: id) else { return nil }
            return try facts(record, db.rowSets(factQueries(.version(id))))
        }
    }

    /// The query of the key of the version `selection` names by number or alias; nil for a key.
    private func keyQuery(_ selection: VersionSelection) -> SQLFragment? {
        switch selection {
        case .key: nil
        case .number(let model, let number): .version(of: model, number: number)
        case .alias(let model, let alias): versionHeld(by: alias, of: model)
        }
    }

    /// The queries of a version's facts, in the order `facts` reads their rows.
    private func factQueries(_ version: SQLFragment) -> [SQLFragment] {
        let events = factEventsQuery(version: version, driftReports: false)
        return [
            storedEventsQuery(filter: events.sql, events.arguments), aliasesQuery(model: "SELECT model_id FROM versions WHERE id = \(version.sql)", version.arguments),
            statusQuery(version: version), signaturesQuery(version: version), evaluationsQuery(version: version), annotationsQuery(version: version),
        ]
    }

    private func facts(_ record: VersionRecord, _ sets: [[SQLRow]]) throws -> VersionFacts {
        VersionFacts(
            record: record, factEvents: try sets[0].map(storedEvent), aliases: try aliases(sets[1], of: record.model), status: try status(sets[2]),
            signatures: try sets[3].map(storedSignature), evaluations: try evaluations(sets[4]), annotations: try sets[5].map(annotation))
    }
}
