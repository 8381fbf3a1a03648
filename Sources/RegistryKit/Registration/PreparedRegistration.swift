import ContentHashing
import Foundation
import RegistryModel
import RegistryStorage

/// A registration read from the machine it runs on: its files hashed (and stored, or to be
/// uploaded), git and datasets read. What `record` turns into a version; `mreg` sends it to
/// `mreg serve` as JSON once the server holds its blobs.
public struct PreparedRegistration: Codable, Sendable, Equatable {
    public var model: String
    /// In path order.
    public var files: [FileEntry]
    public var params: [String: JSONValue]
    public var metrics: [Metric]
    public var labels: [String: String]
    public var description: String?
    /// The parent as the user wrote it (`churn@3`), resolved where it is recorded.
    public var parent: String?
    public var git: GitProvenance?
    public var gitNote: String?
    public var datasets: [PreparedDataset]
    public var registrant: Registrant

    /// Every blob the version will reference: its files, and its stored datasets' files.
    public var blobs: [(digest: Digest, size: Int64)] {
        var seen = Set<Digest>()
        var blobs = [(digest: Digest, size: Int64)]()
        for entry in files + datasets.filter(\.use.stored).flatMap(\.entries) where seen.insert(entry.digest).inserted {
            blobs.append((entry.digest, entry.size))
        }
        return blobs
    }

    /// Checks what a client claims as its command line would have been checked: names, roles,
    /// file paths (relative, no '..'), each dataset's fingerprint against its files.
    func validate() throws(RegistryError) {
        _ = try Registry.modelName(model)
        guard !files.isEmpty else { throw .usage("a registration needs at least one file") }
        var paths = Set<String>()
        for file in files {
            if let problem = FileEntry.pathProblem(file.path) { throw .usage("file path '\(file.path)' \(problem)") }
            guard paths.insert(file.path).inserted else { throw .usage("file path '\(file.path)' is given twice") }
            guard file.size >= 0 else { throw .usage("file '\(file.path)' has a negative size") }
        }
        try Registry.validateDatasetRoles(datasets.map(\.use.role))
        for dataset in datasets { try dataset.validate() }
        if let parent { _ = try VersionRef.parse(parent) }
    }
}

/// A dataset as a registration prepared it: its use, a directory's listing and its profiles.
public struct PreparedDataset: Codable, Sendable, Equatable {
    public var use: DatasetUse
    public var listing: [FileEntry]?
    public var profiles: [StoredProfile]

    /// The dataset's files: a directory's listing, or the one file its fingerprint names.
    var entries: [FileEntry] {
        listing ?? [FileEntry(path: use.sourcePath, digest: use.fingerprint.digest, size: use.fingerprint.size, executable: false)]
    }

    /// The fingerprint must be what the files make it.
    func validate() throws(RegistryError) {
        let fingerprint = use.fingerprint
        let consistent: Bool
        if let listing {
            let bytes = try Registry.documentBytes(DatasetFingerprint.directoryListing(listing), what: "directory listing")
            consistent = fingerprint.isDirectory && fingerprint.digest == FileHashing.digest(of: bytes) && fingerprint.fileCount == listing.count
                && fingerprint.size == listing.reduce(0) { $0 + $1.size } && listing.allSatisfy { FileEntry.pathProblem($0.path) == nil }
        } else {
            consistent = !fingerprint.isDirectory && fingerprint.fileCount == 1
        }
        guard consistent else { throw .usage("dataset '\(use.role)': its fingerprint does not match its files") }
    }
}

/// A file a client uploads before it commits a registration.
public struct PendingBlob: Sendable, Equatable {
    public let digest: Digest
    public let size: Int64
    public let path: String
}

/// What preparing a registration produced.
struct Preparation {
    var registration: PreparedRegistration
    /// Where this machine's files came from (embedded registries keep them to skip re-copying).
    var hints: [SourceHint]
    /// Blobs written by this preparation.
    var bytesStored: Int64
    var warnings: [String]
    /// The file each blob was read from, for a client to upload.
    var sources: [Digest: String]
}

extension Registry {
    /// Reads a registration on this machine: validates the request, collects and hashes its
    /// files, reads git and fingerprints the datasets. `store` copies files into a local blob
    /// store as it hashes them (entries in path order, bytes written); without it, files are
    /// only hashed, for a client to upload. `registryRoot` is left out of git's dirty paths.
    static func prepare(
        _ request: RegistrationRequest, registryRoot: String?, progress: (any ProgressDisplay)?,
        store: (([SourceFile], String) throws(RegistryError) -> ([FileEntry], Int64))?
    ) throws(RegistryError) -> Preparation {
        let model = try modelName(request.model)
        try validateDatasetRoles(request.datasets.map(\.role))
        if let parent = request.parent { _ = try VersionRef.parse(parent) }

        let files = try SourceFileCollector.collect(request.paths, currentDirectory: request.currentDirectory, what: "model")
        var warnings = [String]()
        let (git, gitNote) = try gitProvenance(
            request.git, requireClean: request.requireClean, currentDirectory: request.currentDirectory, registryRoot: registryRoot, warnings: &warnings)
        var datasetFiles = [[SourceFile]]()
        for (_, path) in request.datasets {
            datasetFiles.append(try SourceFileCollector.collect([path], currentDirectory: request.currentDirectory, what: "dataset"))
        }
        var datasets = [PreparedDataset]()
        var sources = [Digest: String]()
        for ((role, path), files) in zip(request.datasets, datasetFiles) {
            let dataset = try fingerprint(
                role: role, path: path, files: files, currentDirectory: request.currentDirectory, stored: request.storeDatasets, progress: progress)
            if request.storeDatasets, let store {
                // The copy re-hashes the files: they must not have changed since.
                guard try store(files, "store dataset \(role)").0.map(\.digest) == dataset.entries.map(\.digest) else {
                    throw RegistryError(.conflict, "dataset '\(path)' changed while it was read", hint: "run the command again once it is written")
                }
            }
            datasets.append(PreparedDataset(use: dataset.use, listing: dataset.listing, profiles: dataset.profiles))
            if request.storeDatasets {
                for (file, entry) in zip(files, dataset.entries) { sources[entry.digest] = file.absolutePath }
            }
            warnings += dataset.warnings
        }
        let (entries, bytesStored): ([FileEntry], Int64)
        if let store {
            (entries, bytesStored) = try store(files, "ingest \(model)")
        } else {
            (entries, bytesStored) = (try hash(files, label: "hash \(model)", progress: progress), 0)
        }
        // `files` and `entries` are both in path order.
        let hints = zip(files, entries).map { file, entry in SourceHint(identity: file.identity, digest: entry.digest) }
        for (file, entry) in zip(files, entries) { sources[entry.digest] = file.absolutePath }
        let registration = PreparedRegistration(
            model: model.value, files: entries, params: request.params, metrics: request.metrics, labels: request.labels,
            description: request.description, parent: request.parent, git: git, gitNote: gitNote, datasets: datasets, registrant: request.registrant)
        return Preparation(registration: registration, hints: hints, bytesStored: bytesStored, warnings: warnings, sources: sources)
    }

    /// Each role a valid name, none given twice.
    static func validateDatasetRoles(_ roles: [String]) throws(RegistryError) {
        var seen = Set<String>()
        for role in roles {
            do {
                try DatasetUse.validateRole(role)
            } catch {
                throw RegistryError(error, flag: "--dataset", hint: "write --dataset ROLE=PATH with a role such as train or holdout")
            }
            guard seen.insert(role).inserted else { throw .usage("--dataset role '\(role)' is given twice") }
        }
    }

    /// Hashes files on both cores; their entries in path order.
    static func hash(_ files: [SourceFile], label: String, progress: (any ProgressDisplay)?) throws(RegistryError) -> [FileEntry] {
        let task = progress?.begin(label, totalBytes: files.reduce(0) { $0 + $1.size })
        defer { task?.finish() }
        let entries = try Parallel.map(files) { (file) throws(RegistryError) -> FileEntry in
            let (digest, size) = try storeBlob { () throws(ContentStoreError) in try FileHashing.hash(fileAt: file.absolutePath, progress: task) }
            return FileEntry(path: file.relativePath, digest: digest, size: size, executable: file.executable)
        }
        return entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Prepares a registration to send to a server: everything read and hashed here, nothing
    /// stored; the blobs to upload with the files they come from.
    public static func prepareForUpload(
        _ request: RegistrationRequest, progress: (any ProgressDisplay)?
    ) throws(RegistryError) -> (registration: PreparedRegistration, uploads: [PendingBlob], warnings: [String]) {
        let prepared = try prepare(request, registryRoot: nil, progress: progress, store: nil)
        let uploads = prepared.registration.blobs.compactMap { blob in
            prepared.sources[blob.digest].map { PendingBlob(digest: blob.digest, size: blob.size, path: $0) }
        }
        return (prepared.registration, uploads, prepared.warnings)
    }
}
