import Foundation
import MetadataStore
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
        let legacy = try database { (db) throws(MetadataError) in try db.legacyFacts() }
        let now = clock()
        let reason = "recorded when this registry was upgraded to fact events (mreg \(RegistryLayout.formatVersion)); attests the rows as found then"
        var drafts = [EventDraft]()
        func draft(_ model: ModelName?, _ action: LedgerEvent.Action, version: VersionKey?, actor: Registrant, record: Digest, link: RecordLink?) {
            drafts.append(EventDraft(
                model: model, alias: nil, action: action, toVersionID: version, at: now, actor: actor, reason: reason, forced: false, gates: "[]",
                expectedHolderID: nil, record: record, link: link))
        }
        func record(_ id: VersionKey) throws(RegistryError) -> VersionRecord {
            guard let record = try database({ (db) throws(MetadataError) in try db.record(id: id) }) else { throw .bug("version \(id) vanished during the upgrade") }
            return record
        }
        for digest in legacy.datasets {
            guard let details = try database({ (db) throws(MetadataError) in try db.dataset(digest) }) else { continue }
            let document = try storeRecord(Self.datasetContentsDocument(details.fingerprint, listing: details.files, profiles: details.profiles), what: "dataset")
            draft(nil, .recordDataset, version: nil, actor: Registrant(user: "mreg", host: "upgrade"), record: document, link: .dataset(digest))
        }
        for (name, digest) in legacy.names {
            guard let row = try database({ (db) throws(MetadataError) in try db.datasetNameRecord(name, dataset: digest) }) else { continue }
            let document = try storeRecord(Self.datasetNameDocument(row), what: "dataset name")
            draft(nil, .nameDataset, version: nil, actor: row.addedBy, record: document, link: .datasetName(name, digest))
        }
        for id in legacy.versionIDs {
            let version = try record(id)
            let document = try storeRecord(Self.registrationDocument(version), what: "registration")
            draft(version.model, .register, version: id, actor: version.registrant, record: document, link: nil)
        }
        for (id, versionID) in legacy.evaluations {
            guard let evaluation = try database({ (db) throws(MetadataError) in try db.evaluation(id: id) }) else { continue }
            let document = try storeRecord(RecordDocument.evaluation(evaluation), what: "evaluation")
            draft(evaluation.version.model, .evaluate, version: versionID, actor: evaluation.registrant, record: document, link: .evaluation(id: id))
        }
        for (versionID, key) in legacy.signatures {
            let version = try record(versionID)
            guard let signature = try database({ (db) throws(MetadataError) in try db.signatures(versionID: versionID) }).first(where: { $0.keyFingerprint == key }) else { continue }
            let document = try storeRecord(Self.signatureDocument(signature, manifest: version.manifestDigest), what: "signature")
            // The signer was kept as "user@host"; a host has no "@".
            let at = signature.signedBy.lastIndex(of: "@")
            let actor = Registrant(
                user: at.map { String(signature.signedBy[..<$0]) } ?? signature.signedBy,
                host: at.map { String(signature.signedBy[signature.signedBy.index(after: $0)...]) } ?? "")
            draft(version.model, .sign, version: versionID, actor: actor, record: document, link: .signature(key: key))
        }
        try database { (db) throws(MetadataError) in try db.recordLegacyFacts(drafts, seal: Self.sealEvent) }
    }
}
