import Foundation
import RegistryStorage
import RegistryModel

extension Registry {
    /// Gives every row written by an mreg without fact events the event it would have had, once,
    /// when such a registry is first opened: registrations, evaluations, signatures, datasets
    /// and dataset names, each committing to its document rebuilt from the rows as they are now.
    ///
    /// Those events attest the rows as found at the upgrade; each says so in its reason.
    func recordLegacyFacts() throws(RegistryError) {
        guard try database({ (db) throws(MetadataError) in try db.hasPendingFactEvents() }) else { return }
        let lock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "upgrade")
        defer { withExtendedLifetime(lock) {} }
        // Rows written before fact events are exactly the rows no event records.
        let legacy = try database { (db) throws(MetadataError) in try db.unrecordedFacts(versionIDs: nil) }
        let now = clock()
        let reason = "recorded when this registry was upgraded to fact events (mreg \(RegistryLayout.formatVersion)); attests the rows as found then"
        var drafts = [EventDraft]()
        for fact in legacy {
            var record: VersionRecord?
            if let id = fact.versionID {
                guard let found = try database({ (db) throws(MetadataError) in try db.record(id: id) }) else { throw .bug("version \(id) vanished during the upgrade") }
                record = found
            }
            let model = record?.model
            let document: JSONValue
            let actor: Registrant
            let action: LedgerEvent.Action
            var link: RecordLink?
            switch fact.kind {
            case .registration:
                guard let record else { continue }
                (document, actor, action) = (Self.registrationDocument(record), record.registrant, .register)
            case .evaluation(let id):
                guard let evaluation = try database({ (db) throws(MetadataError) in try db.evaluation(id: id) }) else { continue }
                (document, actor, action, link) = (RecordDocument.evaluation(evaluation), evaluation.registrant, .evaluate, .evaluation(id: id))
            case .signature(_, let key):
                guard let record, let id = fact.versionID,
                    let signature = try database({ (db) throws(MetadataError) in try db.signatures(versionID: id) }).first(where: { $0.keyFingerprint == key })
                else { continue }
                // The signer was kept as "user@host"; a host has no "@".
                let at = signature.signedBy.lastIndex(of: "@")
                actor = Registrant(
                    user: at.map { String(signature.signedBy[..<$0]) } ?? signature.signedBy,
                    host: at.map { String(signature.signedBy[signature.signedBy.index(after: $0)...]) } ?? "")
                (document, action, link) = (Self.signatureDocument(signature, manifest: record.manifestDigest), .sign, .signature(key: key))
            case .datasetContents(let digest):
                guard let details = try database({ (db) throws(MetadataError) in try db.dataset(digest, uses: 0) }) else { continue }
                document = Self.datasetContentsDocument(details.fingerprint, listing: details.files, profiles: details.profiles)
                (actor, action, link) = (Registrant(user: "mreg", host: "upgrade"), .recordDataset, .dataset(digest))
            case .datasetName(let name, let digest):
                guard let row = try database({ (db) throws(MetadataError) in try db.datasetNameRecord(name, dataset: digest) }) else { continue }
                (document, actor, action, link) = (Self.datasetNameDocument(row), row.addedBy, .nameDataset, .datasetName(name, digest))
            case .annotation, .driftReport:
                // Annotations and drift reports came with fact events; one without is tampering, for verify to report.
                continue
            }
            drafts.append(EventDraft(
                model: model, alias: nil, action: action, toVersionID: fact.versionID, at: now, actor: actor, reason: reason, forced: false,
                gates: "[]", expectedHolderID: nil, record: try storeRecord(document, what: action.rawValue), link: link))
        }
        try database { (db) throws(MetadataError) in try db.recordLegacyFacts(drafts, seal: Self.sealEvent) }
    }
}
