import DatasetProfiling
import Foundation
import RegistryStorage
import RegistryModel

/// A dataset as `dataset show` presents it: the record and its decoded profiles.
public struct DatasetView: Sendable {
    public let details: DatasetDetails
    public let profiles: [(path: String, profile: TableProfile)]
}

extension Registry {
    /// Fingerprints and profiles a file or folder and records it under `name`. The same content
    /// added again (under any name) is the same dataset record.
    public func addDataset(
        name: String, path: String, currentDirectory: String, actor: Registrant, progress: (any ProgressDisplay)? = nil
    ) throws(RegistryError) -> (view: DatasetView, added: Bool, warnings: [String]) {
        let (dataset, warnings) = try Self.prepareDataset(name: name, path: path, currentDirectory: currentDirectory, progress: progress)
        let (view, added) = try addDataset(name: name, prepared: dataset, actor: actor)
        return (view, added, warnings)
    }

    /// Fingerprints and profiles a dataset file or folder on this machine under a name: what
    /// `dataset add` records, read where the data is (a client sends it to a server).
    public static func prepareDataset(
        name: String, path: String, currentDirectory: String, progress: (any ProgressDisplay)?
    ) throws(RegistryError) -> (dataset: PreparedDataset, warnings: [String]) {
        do {
            try ModelName.validate(name, kind: "dataset name")
        } catch {
            throw RegistryError(error)
        }
        let files = try SourceFileCollector.collect([path], currentDirectory: currentDirectory, what: "dataset")
        let dataset = try fingerprint(role: name, path: path, files: files, currentDirectory: currentDirectory, stored: false, progress: progress)
        return (PreparedDataset(use: dataset.use, listing: dataset.listing, profiles: dataset.profiles), dataset.warnings)
    }

    /// Records a prepared dataset under a name (its path is where it was read).
    public func addDataset(name: String, prepared dataset: PreparedDataset, actor: Registrant) throws(RegistryError) -> (view: DatasetView, added: Bool) {
        do {
            try ModelName.validate(name, kind: "dataset name")
        } catch {
            throw RegistryError(error)
        }
        try dataset.validate()
        let fingerprint = dataset.use.fingerprint
        let path = dataset.use.sourcePath
        // The same name for the same content is one record: nothing is written again.
        if try database({ (db) throws(MetadataError) in try db.datasetNameRecord(name, dataset: fingerprint.digest) }) != nil {
            return (try datasetView(fingerprint.digest), false)
        }
        let addedAt = clock()
        // Both documents are referenced by nothing until the transaction commits: hold off `gc`.
        let storeLock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "dataset add")
        defer { withExtendedLifetime(storeLock) {} }
        let added = try retryingCollected { (fence) throws(RegistryError) in
            let contents = try storeDatasetRecord(fingerprint, listing: dataset.listing ?? [], profiles: dataset.profiles)
            let nameRecord = try storeRecord(
                Self.datasetNameDocument(DatasetName(name: name, fingerprint: fingerprint, sourcePath: path, addedAt: addedAt, addedBy: actor)),
                what: "dataset name")
            return try database { (db) throws(MetadataError) in
                try db.addDataset(
                    name: name, fingerprint: fingerprint, listing: dataset.listing ?? [], profiles: dataset.profiles, sourcePath: path,
                    at: addedAt, by: actor, records: (contents, nameRecord), fence: BlobFence(position: fence, digests: [contents, nameRecord].compactMap { $0 }),
                    seal: Self.sealEvent)
            }
        }
        return (try datasetView(fingerprint.digest), added)
    }

    /// Every dataset name with its newest content.
    public func datasetNames() throws(RegistryError) -> [DatasetName] {
        try database { (db) throws(MetadataError) in try db.datasetNames() }
    }

    /// A dataset by name (its newest content) or by digest (`sha256:` and at least 12 hex digits),
    /// with the first `uses` versions that recorded it (all when nil).
    public func dataset(_ reference: String, uses: Int? = nil) throws(RegistryError) -> DatasetView {
        try datasetView(try datasetDigest(reference), uses: uses)
    }

    func datasetDigest(_ reference: String) throws(RegistryError) -> Digest {
        let prefix = Digest.algorithm + ":"
        if reference.hasPrefix(prefix) {
            let hex = String(reference.dropFirst(prefix.count)).lowercased()
            guard hex.utf8.allSatisfy(Digest.isLowerHex), hex.utf8.count >= Digest.minimumPrefixLength else {
                throw .usage("'\(reference)' is not a dataset digest", hint: "give sha256: and at least \(Digest.minimumPrefixLength) hex digits")
            }
            let found = try database { (db) throws(MetadataError) in try db.datasetDigests(prefix: hex) }
            if found.count > 1 { throw .usage("the digest prefix '\(reference)' matches several datasets", hint: "give more hex digits") }
            guard let digest = found.first else {
                throw .notFound("no dataset with digest \(reference) is recorded", hint: "run 'mreg dataset list'")
            }
            return digest
        }
        guard let digest = try database({ (db) throws(MetadataError) in try db.datasetDigest(named: reference) }) else {
            throw .notFound("no dataset named '\(reference)'", hint: "add one with 'mreg dataset add \(reference) PATH', or run 'mreg dataset list'")
        }
        return digest
    }

    private func datasetView(_ digest: Digest, uses: Int? = nil) throws(RegistryError) -> DatasetView {
        guard let details = try database({ (db) throws(MetadataError) in try db.dataset(digest, uses: uses) }) else {
            throw .notFound("dataset \(digest) is not recorded")
        }
        var profiles = [(path: String, profile: TableProfile)]()
        for stored in details.profiles {
            guard let profile = Self.decodeProfile(stored.json) else {
                throw RegistryError(.integrity, "the stored profile of \(stored.path) in dataset \(digest.short) cannot be read", hint: "add the dataset again")
            }
            profiles.append((stored.path, profile))
        }
        return DatasetView(details: details, profiles: profiles)
    }
}
