import RegistryStorage
import Foundation
import GitLinkage
import RegistryModel

extension Registry {
    /// Registers a model version: validates everything first, then stores blobs, then records
    /// the version in one transaction. An identical registration returns the existing version.
    public func register(_ request: RegistrationRequest, progress: (any ProgressDisplay)? = nil) throws(RegistryError) -> RegistrationOutcome {
        let settings = try config()
        // A parent that does not resolve is refused before any blob is stored.
        if let parent = request.parent { try checkParent(parent) }
        // When gc collects a blob this registration relied on, it runs again and stores it again.
        return try retryingCollected { (fence) throws(RegistryError) in try register(request, fence: fence, settings: settings, progress: progress) }
    }

    private func register(
        _ request: RegistrationRequest, fence: Int64, settings: RegistryConfig, progress: (any ProgressDisplay)?
    ) throws(RegistryError) -> RegistrationOutcome {
        // From the first blob until the row commits, this registration's blobs are referenced by
        // nothing: hold off `gc` meanwhile (taken at the first blob, so a refusal before it
        // leaves the registry as it was).
        var storeLock: StoreLock?
        defer { withExtendedLifetime(storeLock) {} }
        let prepared = try Self.prepare(request, registryRoot: layout.root, progress: progress) { (files, label) throws(RegistryError) in
            if storeLock == nil { storeLock = try self.registrationLock() }
            return try self.ingest(files, label: label, progress: progress)
        }
        var outcome = try record(prepared.registration, hints: prepared.hints, bytesStored: prepared.bytesStored, checkBlobs: false, fence: fence)
        outcome.warnings = prepared.warnings + outcome.warnings
        if settings.recordGitNotes, let problem = recordGitNote(outcome.version, source: request.git, currentDirectory: request.currentDirectory) {
            outcome.warnings.append(problem)
        }
        return outcome
    }

    /// The store lock a registration holds (shared: gc and other writers go on, a migration
    /// waits), taken with a sweep of the temporary files that killed writers left, so that
    /// every registration, local or served, cleans up after the ones before it.
    private func registrationLock() throws(RegistryError) -> StoreLock {
        let lock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "register")
        (blobs as? any LocalBlobStoring)?.sweepAbandonedTemporaries()
        return lock
    }

    /// Records a registration prepared on another machine (`mreg` sending to `mreg serve`): its
    /// blobs were uploaded and re-hashed before, so each must be stored with its size; what it
    /// claims is checked as a command line's arguments would be. `bytesUploaded` is what its
    /// uploads stored anew, as the client counted them (reported, not recorded). `fence` is where
    /// the collection log stood when the client asked which blobs were missing (read now when nil).
    public func register(prepared registration: PreparedRegistration, bytesUploaded: Int64 = 0, fence: Int64? = nil) throws(RegistryError) -> RegistrationOutcome {
        try registration.validate()
        let storeLock = try registrationLock()
        defer { withExtendedLifetime(storeLock) {} }
        let position: Int64
        if let fence { position = fence } else { position = try collectionFence() }
        do {
            return try record(registration, hints: [], bytesStored: max(0, bytesUploaded), checkBlobs: true, fence: position)
        } catch where !error.collectedBlobs.isEmpty {
            // Answered once the collections are finished, so that the client, asking again which
            // blobs are missing, is told to upload them.
            try waitForCollections(beyond: position, until: Date().addingTimeInterval(Self.collectionWait))
            throw error
        }
    }

    /// Builds the manifest of a prepared registration and records the version, or returns the
    /// identical one already recorded; then publishes it where the blob store publishes.
    private func record(
        _ registration: PreparedRegistration, hints: [SourceHint], bytesStored: Int64, checkBlobs: Bool, fence: Int64
    ) throws(RegistryError) -> RegistrationOutcome {
        let model = try Self.modelName(registration.model)
        if checkBlobs { try requireStored(registration.blobs) }
        let parent = try registration.parent.map { (text) throws(RegistryError) in try checkParent(text).manifestDigest }
        let datasets = registration.datasets.map(\.use)
        let manifest = Manifest(
            model: model, files: registration.files, params: registration.params, datasets: datasets, metrics: registration.metrics,
            labels: registration.labels, description: registration.description, parent: parent, git: registration.git)
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
            var listings = [Digest: [FileEntry]]()
            var profiles = [Digest: [StoredProfile]]()
            for dataset in registration.datasets {
                if let listing = dataset.listing { listings[dataset.use.fingerprint.digest] = listing }
                profiles[dataset.use.fingerprint.digest] = dataset.profiles
            }
            outcome = try recordVersion(
                manifest: manifest, digest: manifestDigest, git: registration.git, gitNote: registration.gitNote, registrant: registration.registrant,
                datasets: datasets, listings: listings, profiles: profiles, hints: hints, fence: fence)
        }
        let (pointer, created): (VersionPointer, Bool) = switch outcome {
        case .created(let pointer): (pointer, true)
        case .existing(let pointer): (pointer, false)
        }
        let reference = VersionRef(model: pointer.model, selector: .number(pointer.number))
        let version = try record(id: try resolveID(reference), reference: reference)
        if !created, let deletion = try database({ (db) throws(MetadataError) in try db.status(versionID: version.id) }).deletion {
            // The same content again is the same version, which stays deleted until asked back.
            throw RegistryError(
                .refused,
                "this registration is \(pointer.reference) again, which was deleted on \(Timestamp.format(deletion.at)) (event #\(deletion.sequence): \(deletion.reason)); nothing was recorded",
                hint: "restore it with 'mreg undelete \(pointer.reference)' (its files are stored again now)")
        }
        var warnings = [String]()
        if let note = try publish(version, manifest: manifestBytes) { warnings.append(note) }
        let registered = RegistrationOutcome(version: version, created: created, bytesStored: created ? bytesStored : 0, warnings: warnings)
        observer?.registered(registered)
        return registered
    }

    /// The version a registration names as its parent, refused when it does not resolve or is
    /// deleted: asked before any blob is stored or uploaded, and again when the version is recorded.
    @discardableResult
    public func checkParent(_ reference: String) throws(RegistryError) -> VersionRecord {
        let record = try resolve(try VersionRef.parse(reference))
        try requireLive(record, toBe: "be a parent")
        return record
    }

    /// Refuses a registration whose blobs are not all stored with the sizes it claims.
    private func requireStored(_ wanted: [(digest: Digest, size: Int64)]) throws(RegistryError) {
        let missing = try missingBlobs(wanted)
        guard missing.isEmpty else {
            throw RegistryError(
                .conflict, "\(missing.count) of the registration's blobs are not stored (\(missing[0].short)\(missing.count > 1 ? ", …" : ""))",
                hint: "upload them, then register again ('mreg register' does both)")
        }
    }

    /// Stores the registration's documents, then records the version and its events in one transaction.
    private func recordVersion(
        manifest: Manifest, digest: Digest, git: GitProvenance?, gitNote: String?, registrant: Registrant, datasets: [DatasetUse],
        listings: [Digest: [FileEntry]], profiles: [Digest: [StoredProfile]], hints: [SourceHint], fence: Int64
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
        // Every blob the version's rows will reference: its files and manifest, its documents, and
        // the files of the datasets it stores.
        let stored = datasets.filter(\.stored).flatMap { use in listings[use.fingerprint.digest]?.map(\.digest) ?? [use.fingerprint.digest] }
        let referenced = manifest.files.map(\.digest) + [digest, registration] + datasetRecords.values + stored
        return try database { (db) throws(MetadataError) in
            try db.insertVersion(
                NewVersion(
                    manifest: manifest, manifestDigest: digest, gitNote: gitNote, createdAt: createdAt, registrant: registrant,
                    datasetListings: listings, sourceHints: hints, datasetProfiles: profiles, registrationRecord: registration,
                    datasetRecords: datasetRecords, fence: BlobFence(position: fence, digests: referenced)),
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
        try Self.gitProvenance(source, requireClean: requireClean, currentDirectory: currentDirectory, registryRoot: layout.root, warnings: &warnings)
    }

    /// Reads the git state; a registry folder inside the work tree (`registryRoot`) is not a change to it.
    public static func gitProvenance(
        _ source: RegistrationRequest.GitSource, requireClean: Bool, currentDirectory: String, registryRoot: String?, warnings: inout [String]
    ) throws(RegistryError) -> (GitProvenance?, String?) {
        let repository: GitRepository?
        let location: String
        switch source {
        case .none:
            if requireClean { throw .usage("--require-clean cannot be combined with --no-git") }
            return (nil, "not recorded (--no-git)")
        case .recorded(let provenance):
            return (provenance, provenance == nil ? "not recorded by the client" : nil)
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
            provenance = try repository.provenance(ignoring: registryRoot.flatMap { registryPrefix(of: $0, in: repository.workTree) }.map { [$0] } ?? [])
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
    static func registryPrefix(of registryRoot: String, in workTree: String) -> String? {
        func real(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        let tree = real(workTree).hasSuffix("/") ? real(workTree) : real(workTree) + "/"
        let root = real(registryRoot)
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
