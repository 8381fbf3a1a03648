import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// On PostgreSQL one statement (`SQLSession.rowSets`), its own snapshot, so no transaction
    /// is opened around it; on SQLite the usual reads in one transaction.
    public func versionFacts(id: VersionKey) throws(MetadataError) -> VersionFacts? {
        try readStatement { db in
            let facts = [
                storedEventsQuery(filter: factEventsFilter, [id]), aliasesQuery(model: "SELECT model_id FROM versions WHERE id = ?", [id]),
                statusQuery(versionID: id), signaturesQuery(versionID: id), evaluationsQuery(versionID: id), annotationsQuery(versionID: id),
            ]
            let record: VersionRecord?
            var sets: [[SQLRow]]
            if db.dialect.exactJSONAggregates {
                sets = try db.rowSets([BundledQuery(recordWithRowsSelect, [id])] + facts)
                record = try sets.removeFirst().first.map { try aggregatedRecord($0, id: id) }
            } else {
                record = try fetchRecord(db, id: id)
                sets = record == nil ? [] : try db.rowSets(facts)
            }
            guard let record else { return nil }
            return VersionFacts(
                record: record, factEvents: try sets[0].map(storedEvent), aliases: try aliases(sets[1], of: record.model), status: try status(sets[2]),
                signatures: try sets[3].map(storedSignature), evaluations: try evaluations(sets[4]), annotations: try sets[5].map(annotation))
        }
    }
}
