import RegistryStorage
import Foundation
import GitLinkage
import RegistryModel

extension Registry {
    /// Registers a model version: validates everything first, then stores blobs, then records
    /// the version in one transaction. An identical registration returns the existing version.
    public func register(_ request: RegistrationRequest, progress: (any ProgressDisplay)? = nil) throws(RegistryError) -> RegistrationOutcome {
        let model = try Self.modelName(request.model)
        var seenRoles = Set<String>()
        for (role, _) in request.datasets {
            do {
                try DatasetUse.validateRole(role)
            } catch {
                throw RegistryError(error, flag: "--dataset", hint: "write --dataset ROLE=PATH with a role such as train or holdout")
            }
            guard seenRoles.insert(role).inserted else { throw .usage("--dataset role '\(role)' is given twice") }
        }
        let parentReference = try request.parent.map { (text) throws(RegistryError) in try VersionRef.parse(text) }

        let files = try SourceFileCollector.collect(request.paths, currentDirectory: request.currentDirectory, what: "model")
        var warnings = [String]()
        let settings = try config()
        let (git, gitNote) = try gitProvenance(request.git, requireClean: request.requireClean, currentDirectory: request.currentDirectory, warnings: &warnings)
        let parent = try parentReference.map { (reference) throws(RegistryError) in try resolve(reference).manifestDigest }
        var datasetFiles = [[SourceFile]]()
        for (_, path) in request.datasets {
            datasetFiles.append(try SourceFileCollector.collect([path], currentDirectory: request.currentDirectory, what: "dataset"))
        }

        // From the first blob until the row commits, this registration's blobs are referenced by
        // nothing: hold off `gc` meanwhile.
        let storeLock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "register")
        defer { withExtendedLifetime(storeLock) {} }
        var datasetUses = [DatasetUse]()
        var listings = [Digest: [FileEntry]]()
        var profiles = [Digest: [StoredProfile]]()
        for ((role, path), files) in zip(request.datasets, datasetFiles) {
            let dataset = try fingerprintDataset(
                role: role, path: path, files: files, currentDirectory: request.currentDirectory, store: request.storeDatasets,
                progress: progress)
            datasetUses.append(dataset.use)
            if let listing = dataset.listing { listings[dataset.use.fingerprint.digest] = listing }
            profiles[dataset.use.fingerprint.digest] = dataset.profiles
            warnings += dataset.warnings
        }

        (blobs as? any LocalBlobStoring)?.sweepAbandonedTemporaries()
        let (entries, bytesStored) = try ingest(files, label: "ingest \(model)", progress: progress)
        // `files` and `entries` are both in path order.
        let hints = zip(files, entries).map { file, entry in SourceHint(identity: file.identity, digest: entry.digest) }
        let manifest = Manifest(
            model: model, files: entries, params: request.params, datasets: datasetUses, metrics: request.metrics,
            labels: request.labels, description: request.description, parent: parent, git: git)
        let manifestBytes: [UInt8]
        do {
            manifestBytes = try manifest.canonicalBytes()
        } catch {
            throw .usage("cannot record the parameters: \(error.description)", hint: "parameters must be finite numbers, text, booleans, lists or objects")
        }
        let manifestDigest = try storeBlob { () throws(ContentStoreError) in try blobs.ingest(bytes: manifestBytes) }.digest
        let outcome: InsertOutcome
        if let existing = try database({ (db) throws(MetadataError) in try db.version(manifestDigest: manifestDigest) }) {
            // A retry: the version exists, so nothing but the hints is written.
            if let store = self.hints { try database { (_) throws(MetadataError) in try store.recordHints(hints) } }
            outcome = .existing(existing)
        } else {
            outcome = try recordVersion(
                manifest: manifest, digest: manifestDigest, git: git, gitNote: gitNote, registrant: request.registrant, datasets: datasetUses,
                listings: listings, profiles: profiles, hints: hints)
        }
        let (pointer, created): (VersionPointer, Bool) = switch outcome {
        case .created(let pointer): (pointer, true)
        case .existing(let pointer): (pointer, false)
        }
        let reference = VersionRef(model: pointer.model, selector: .number(pointer.number))
        let version = try record(id: try resolveID(reference), reference: reference)
        if let note = try publish(version, manifest: manifestBytes) { warnings.append(note) }
        if settings.recordGitNotes, let problem = recordGitNote(version, source: request.git, currentDirectory: request.currentDirectory) {
            warnings.append(problem)
        }
        let registered = RegistrationOutcome(version: version, created: created, bytesStored: created ? bytesStored : 0, warnings: warnings)
        observer?.registered(registered)
        return registered
    }

    /// Stores the registration's documents, then records the version and its events in one transaction.
    private func recordVersion(
        manifest: Manifest, digest: Digest, git: GitProvenance?, gitNote: String?, registrant: Registrant, datasets: [DatasetUse],
        listings: [Digest: [FileEntry]], profiles: [Digest: [StoredProfile]], hints: [SourceHint]
    ) throws(RegistryError) -> InsertOutcome {
        let createdAt = clock()
        let registration = try storeRecord(
            RecordDocument.registration(
                manifest: digest, createdAt: createdAt, registrant: registrant, git: git, gitNote: gitNote,
                datasetSources: Dictionary(datasets.map { ($0.role, $0.sourcePath) }, uniquingKeysWith: { $1 })),
            what: "registration")
        var datasetRecords = [Digest: Digest]()
        for use in datasets {
            let dataset = use.fingerprint.digest
            datasetRecords[dataset] = try storeDatasetRecord(use.fingerprint, listing: listings[dataset] ?? [], profiles: profiles[dataset] ?? [])
        }
        return try database { (db) throws(MetadataError) in
            try db.insertVersion(
                NewVersion(
                    manifest: manifest, manifestDigest: digest, gitNote: gitNote, createdAt: createdAt, registrant: registrant,
                    datasetListings: listings, sourceHints: hints, datasetProfiles: profiles, registrationRecord: registration,
                    datasetRecords: datasetRecords),
                seal: Self.sealEvent)
        }
    }

    /// Ingests files on both cores, largest first, and returns their entries in path order.
    ///
    /// A file that looks exactly as it did when last ingested (same device, inode, size and
    /// times) is re-hashed without being copied; if its hash still names a stored blob, nothing
    /// is written at all. Any disagreement falls back to the ordinary copy.
    func ingest(_ files: [SourceFile], label: String, progress: (any ProgressDisplay)?) throws(RegistryError) -> ([FileEntry], Int64) {
        let task = progress?.begin(label, totalBytes: files.reduce(0) { $0 + $1.size })
        defer { task?.finish() }
        let store = blobs
        let hintStore = self.hints
        let candidates = try database { (_) throws(MetadataError) in try hintStore?.knownDigests(files.map(\.identity)) ?? [:] }
        let results = try Parallel.map(files.sorted { $0.size > $1.size }) { (file) throws(RegistryError) -> (FileEntry, Int64) in
            let result = try Registry.storeBlob { () throws(ContentStoreError) in
                if let candidate = candidates[file.identity],
                    let stored = try store.ingestIfAlreadyStored(fileAt: file.absolutePath, candidate: candidate, progress: task)
                {
                    return stored
                }
                return try store.ingest(fileAt: file.absolutePath, progress: task)
            }
            guard result.size == file.size else {
                throw RegistryError(.conflict, "'\(file.absolutePath)' changed size while it was read", hint: "register again once the file is complete")
            }
            return (FileEntry(path: file.relativePath, digest: result.digest, size: result.size, executable: file.executable),
                    result.wasNew ? result.size : 0)
        }
        let entries = results.map(\.0).sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return (entries, results.reduce(0) { $0 + $1.1 })
    }

    /// Reads the git state the request asks for; dirty trees are recorded with a warning.
    func gitProvenance(
        _ source: RegistrationRequest.GitSource, requireClean: Bool, currentDirectory: String, warnings: inout [String]
    ) throws(RegistryError) -> (GitProvenance?, String?) {
        let repository: GitRepository?
        let location: String
        switch source {
        case .none:
            if requireClean { throw .usage("--require-clean cannot be combined with --no-git") }
            return (nil, "not recorded (--no-git)")
        case .discover(let directory):
            location = directory
            do {
                repository = try GitRepository.discover(from: directory)
            } catch {
                throw RegistryError(error, repository: directory)
            }
        case .repository(let path):
            location = RegistryLocator.absolute(path, from: currentDirectory)
            guard FileManager.default.fileExists(atPath: location) else {
                throw .notFound("--git path '\(path)' does not exist", hint: "pass the folder of a git work tree")
            }
            do {
                repository = try GitRepository.discover(from: location)
            } catch {
                throw RegistryError(error, repository: location)
            }
            if repository == nil { throw .notFound("'\(path)' is not inside a git repository", hint: "pass --git with a work tree, or --no-git") }
        }
        guard let repository else {
            if requireClean { throw .refused("--require-clean: '\(location)' is not inside a git repository", hint: "run from a git work tree, or drop --require-clean") }
            warnings.append("note: not inside a git repository; no commit recorded")
            return (nil, "not inside a git repository")
        }
        let provenance: GitProvenance?
        do {
            provenance = try repository.provenance(ignoring: registryPrefix(in: repository.workTree).map { [$0] } ?? [])
        } catch {
            throw RegistryError(error, repository: repository.workTree)
        }
        guard let provenance else {
            if requireClean { throw .refused("--require-clean: the repository at '\(repository.workTree)' has no commit yet", hint: "commit your code first") }
            warnings.append("note: the git repository has no commit yet; no commit recorded")
            return (nil, "the git repository had no commit")
        }
        if provenance.dirty {
            let shown = provenance.changedPaths.prefix(5).joined(separator: ", ") + (provenance.changedPaths.count > 5 ? ", …" : "")
            if requireClean {
                throw .refused(
                    "--require-clean: the work tree has \(provenance.changedPaths.count) uncommitted change(s): \(shown)",
                    hint: "commit or stash them, then register again")
            }
            warnings.append("warning: the work tree has \(provenance.changedPaths.count) uncommitted change(s) (\(shown)); recorded as dirty")
        }
        return (provenance, nil)
    }

    /// The registry folder relative to a work tree (`registry/`), when the registry lives inside it.
    func registryPrefix(in workTree: String) -> String? {
        func real(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        let tree = real(workTree).hasSuffix("/") ? real(workTree) : real(workTree) + "/"
        let root = real(layout.root)
        guard root.hasPrefix(tree), root.count > tree.count else { return nil }
        return String(root.dropFirst(tree.count)) + "/"
    }

    /// Runs a blob-store call, mapping its error at this boundary.
    public static func storeBlob<T>(_ body: () throws(ContentStoreError) -> T) throws(RegistryError) -> T {
        do {
            return try body()
        } catch {
            throw RegistryError(error)
        }
    }

    func storeBlob<T>(_ body: () throws(ContentStoreError) -> T) throws(RegistryError) -> T {
        try Self.storeBlob(body)
    }
}

extension RegistryError {
    static func refused(_ message: String, hint: String? = nil) -> RegistryError { RegistryError(.refused, message, hint: hint) }
}

extension VersionRef {
    /// Parses a reference typed by a user, as a usage error when it is malformed.
    static func parse(_ text: String) throws(RegistryError) -> VersionRef {
        do {
            return try VersionRef(parsing: text)
        } catch {
            throw RegistryError(error)
        }
    }
}
