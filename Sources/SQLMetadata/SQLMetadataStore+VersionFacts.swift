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
                switch selection {
                case .key(let id): version = .version(id)
                case .number(let model, let number):
                    // Found once, in a table every query reads.
                    let found = SQLFragment.version(of: model, number: number)
                    target = SQLFragment("target(id) AS (\(found.sql))", found.arguments)
                    version = SQLFragment("(SELECT id FROM target)")
                }
                var sets = try db.rowSets([recordQuery(version: version)] + factQueries(version), sharing: target)
                guard let record = try sets.removeFirst().first.map(aggregatedRecord) else { return nil }
                return try facts(record, sets)
            }
            let id: VersionKey?
            switch selection {
            case .key(let key): id = key
            case .number(let model, let number): id = try versionID(db, model: model, number: number)
            }
            guard let id, let record = try fetchRecord(db, id: id) else { return nil }
            return try facts(record, db.rowSets(factQueries(.version(id))))
        }
    }

    /// The queries of a version's facts, in the order `facts` reads their rows.
    private func factQueries(_ version: SQLFragment) -> [SQLFragment] {
        let events = factEventsQuery(version: version)
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
