import Foundation
import RegistryKit
import RegistryModel

/// The JSON documents the commands print with `--json`; each has a schema in `schemas/`.
///
/// Keys are snake_case; optional values that are absent are left out rather than written null.
public struct VersionDocument: Codable {
    public struct Parent: Codable {
        public let reference: String
        public let version: Int
        public let digest: String
    }
    public struct Dataset: Codable {
        public let role: String
        public let digest: String
        public let size: Int64
        public let files: Int
        public let directory: Bool
        public let stored: Bool
        public let sourcePath: String
    }
    public struct File: Codable {
        public let path: String
        public let digest: String
        public let size: Int64
        public let executable: Bool

        public init(path: String, digest: String, size: Int64, executable: Bool) {
            self.path = path
            self.digest = digest
            self.size = size
            self.executable = executable
        }
    }
    public struct Git: Codable {
        public let commit: String
        public let branch: String?
        public let remoteUrl: String?
        public let message: String
        public let author: String
        public let committedAt: String
        public let dirty: Bool
        public let changedPaths: [String]
    }

    public struct Deletion: Codable {
        public let reason: String
        public let at: String
        public let event: Int64
    }

    public let model: String
    public let version: Int
    public let reference: String
    public let digest: String
    public let createdAt: String
    public let registeredBy: RegistrantDocument
    /// The description and labels now: as registered, with every annotation applied.
    public let description: String?
    public let parent: Parent?
    public let params: [String: JSONValue]
    public let labels: [String: String]
    /// Changes of labels and description after registration, oldest first.
    public let annotations: [AnnotationDocument]
    public let metrics: [String: Double]
    public let datasets: [Dataset]
    public let files: [File]
    public let size: Int64
    public let git: Git?
    public let gitNote: String?
    /// The aliases pointing at the version now.
    public let aliases: [String]
    /// active, deprecated, rolled_back or deleted.
    public let status: String
    public let deprecation: String?
    public let rollback: String?
    /// When, why and by which event the version was deleted, while it is.
    public let deletion: Deletion?
    public let signatures: [SignatureDocument]
    public let evaluations: [EvaluationDocument]

    public init(_ record: VersionRecord, release: ReleaseState? = nil, evaluations: [EvaluationRecord] = [], annotations: [RecordedAnnotation] = []) {
        self.evaluations = evaluations.map { EvaluationDocument($0) }
        self.annotations = annotations.map(AnnotationDocument.init)
        let annotated = record.annotated(by: annotations)
        aliases = release?.aliases.map(\.value) ?? []
        status = release.map { $0.deletion != nil ? "deleted" : $0.deprecation != nil ? "deprecated" : $0.rollback != nil ? "rolled_back" : "active" } ?? "active"
        deletion = release?.deletion.map { Deletion(reason: $0.reason, at: Timestamp.format($0.at), event: $0.sequence) }
        deprecation = release?.deprecation
        rollback = release?.rollback
        signatures = release?.signatures.map(SignatureDocument.init) ?? []
        model = record.model.value
        version = record.number
        reference = "\(record.model)@\(record.number)"
        digest = record.manifestDigest.description
        createdAt = Timestamp.format(record.createdAt)
        registeredBy = RegistrantDocument(record.registrant)
        description = annotated.description
        parent = record.parent.map { Parent(reference: $0.reference, version: $0.number, digest: $0.manifestDigest.description) }
        params = record.params
        labels = annotated.labels
        metrics = Dictionary(uniqueKeysWithValues: record.metrics.map { ($0.key, $0.value) })
        datasets = record.datasets.map {
            Dataset(
                role: $0.role, digest: $0.fingerprint.digest.description, size: $0.fingerprint.size, files: $0.fingerprint.fileCount,
                directory: $0.fingerprint.isDirectory, stored: $0.stored, sourcePath: $0.sourcePath)
        }
        files = record.files.map { File(path: $0.path, digest: $0.digest.description, size: $0.size, executable: $0.executable) }
        size = record.totalSize
        git = record.git.map {
            Git(commit: $0.commit, branch: $0.branch, remoteUrl: $0.remoteURL, message: $0.message, author: $0.author,
                committedAt: Timestamp.format($0.committedAt), dirty: $0.dirty, changedPaths: $0.changedPaths)
        }
        gitNote = record.gitNote
    }
}

/// One annotation: what it changed, who, when and why.
public struct AnnotationDocument: Codable {
    public let sequence: Int64
    public let at: String
    public let actor: RegistrantDocument
    public let reason: String?
    public let labels: [String: String]
    public let removedLabels: [String]
    public let description: String?

    public init(_ recorded: RecordedAnnotation) {
        sequence = recorded.sequence
        at = Timestamp.format(recorded.at)
        actor = RegistrantDocument(recorded.actor)
        reason = recorded.reason
        labels = recorded.annotation.labels
        removedLabels = recorded.annotation.removedLabels
        description = recorded.annotation.description
    }
}

/// Who did something: user and host, and the CI job when one ran it.
public struct RegistrantDocument: Codable {
    public let user: String
    public let host: String
    public let ciProvider: String?
    public let ciJobId: String?
    public let ciJobUrl: String?
    /// The person the CI provider says started the job.
    public let ciActor: String?

    public init(_ registrant: Registrant) {
        ciActor = registrant.ciActor
        user = registrant.user
        host = registrant.host
        ciProvider = registrant.ciProvider
        ciJobId = registrant.ciJobID
        ciJobUrl = registrant.ciJobURL
    }
}

public struct InitDocument: Codable {
    public let registry: String
    public let created: Bool
    public let formatVersion: Int
    /// The PostgreSQL address, when the metadata is not embedded.
    public let metadata: String?
    /// The OCI address, when the blobs are not embedded.
    public let blobs: String?

    public init(registry: String, created: Bool, formatVersion: Int, metadata: String?, blobs: String?) {
        self.registry = registry
        self.created = created
        self.formatVersion = formatVersion
        self.metadata = metadata
        self.blobs = blobs
    }
}

public struct RegisterDocument: Codable {
    public let created: Bool
    public let bytesStored: Int64
    public let warnings: [String]
    public let version: VersionDocument

    public init(created: Bool, bytesStored: Int64, warnings: [String], version: VersionDocument) {
        self.created = created
        self.bytesStored = bytesStored
        self.warnings = warnings
        self.version = version
    }
}

public struct ModelListDocument: Codable {
    public struct Model: Codable {
        public let name: String
        public let versions: Int
        public let latestVersion: Int?
        public let latestCreatedAt: String?
        public let aliases: [String: Int]

        public init(name: String, versions: Int, latestVersion: Int?, latestCreatedAt: String?, aliases: [String: Int]) {
            self.name = name
            self.versions = versions
            self.latestVersion = latestVersion
            self.latestCreatedAt = latestCreatedAt
            self.aliases = aliases
        }
    }
    public let models: [Model]

    public init(models: [Model]) {
        self.models = models
    }
}

public struct VersionListDocument: Codable {
    public struct Version: Codable {
        public let reference: String
        /// The version number, as every document names it.
        public let version: Int
        public let digest: String
        public let createdAt: String
        public let gitCommit: String?
        public let gitDirty: Bool
        public let files: Int
        public let size: Int64
        public let metrics: [String: Double]
        /// Metrics computed by `evaluate` (`holdout.roc_auc`), the latest per key, with intervals.
        public let evaluated: [String: Evaluated]
        public let aliases: [String]
        public let status: String

        public init(reference: String, version: Int, digest: String, createdAt: String, gitCommit: String?, gitDirty: Bool, files: Int, size: Int64, metrics: [String: Double], evaluated: [String: Evaluated], aliases: [String], status: String) {
            self.reference = reference
            self.version = version
            self.digest = digest
            self.createdAt = createdAt
            self.gitCommit = gitCommit
            self.gitDirty = gitDirty
            self.files = files
            self.size = size
            self.metrics = metrics
            self.evaluated = evaluated
            self.aliases = aliases
            self.status = status
        }
    }
    public struct Evaluated: Codable {
        public let value: Double
        public let ciLow: Double?
        public let ciHigh: Double?

        public init(value: Double, ciLow: Double?, ciHigh: Double?) {
            self.value = value
            self.ciLow = ciLow
            self.ciHigh = ciHigh
        }
    }
    public let model: String
    /// How many versions the options keep (all but deleted ones without options); `versions`
    /// holds the first of them (see --limit).
    public let total: Int
    /// False when `total` is only a lower bound: several conditions that many versions meet
    /// are counted among the first of them, not across a million versions.
    public let totalExact: Bool
    /// The model's aliases and the versions they name now, listed or not.
    public let aliases: [String: Int]
    public let versions: [Version]

    public init(model: String, total: Int, totalExact: Bool, aliases: [String: Int], versions: [Version]) {
        self.model = model
        self.total = total
        self.totalExact = totalExact
        self.aliases = aliases
        self.versions = versions
    }
}

public struct ExportDocument: Codable {
    public let reference: String
    /// The version number, as every document names it.
    public let version: Int
    public let digest: String
    public let destination: String
    public let files: Int
    public let bytes: Int64
    public let replaced: Bool

    public init(reference: String, version: Int, digest: String, destination: String, files: Int, bytes: Int64, replaced: Bool) {
        self.reference = reference
        self.version = version
        self.digest = digest
        self.destination = destination
        self.files = files
        self.bytes = bytes
        self.replaced = replaced
    }
}

public struct VerifyDocument: Codable {
    public struct Problem: Codable {
        public let kind: String
        public let digest: String?
        public let detail: String
        public let affected: [String]

        public init(kind: String, digest: String?, detail: String, affected: [String]) {
            self.kind = kind
            self.digest = digest
            self.detail = detail
            self.affected = affected
        }
    }
    public let ok: Bool
    public let versionsChecked: Int
    public let blobsChecked: Int
    public let bytesChecked: Int64
    public let signaturesChecked: Int
    public let eventsChecked: Int
    public let recordsChecked: Int
    /// The ledger's newest event after a whole-registry check (keep it for `--expect-head`).
    public let head: HeadDocument?
    public let problems: [Problem]
    public let unreferencedBlobs: [String]
    /// With `--sample`: what was re-hashed (`bytes_checked` counts only those bytes).
    public let sample: Sample?

    public struct Sample: Codable {
        /// The share of blobs re-hashed (`--sample 5%`), or the budget in bytes (`--sample 2GiB`).
        public let percent: Double?
        public let bytes: Int64?
        public let seed: UInt64
        public let blobsRehashed: Int

        public init(percent: Double?, bytes: Int64?, seed: UInt64, blobsRehashed: Int) {
            self.percent = percent
            self.bytes = bytes
            self.seed = seed
            self.blobsRehashed = blobsRehashed
        }
    }

    public init(
        ok: Bool, versionsChecked: Int, blobsChecked: Int, bytesChecked: Int64, signaturesChecked: Int, eventsChecked: Int, recordsChecked: Int,
        head: HeadDocument?, problems: [Problem], unreferencedBlobs: [String], sample: Sample? = nil
    ) {
        self.sample = sample
        self.ok = ok
        self.versionsChecked = versionsChecked
        self.blobsChecked = blobsChecked
        self.bytesChecked = bytesChecked
        self.signaturesChecked = signaturesChecked
        self.eventsChecked = eventsChecked
        self.recordsChecked = recordsChecked
        self.head = head
        self.problems = problems
        self.unreferencedBlobs = unreferencedBlobs
    }
}

public struct HeadDocument: Codable {
    public let sequence: Int64
    public let digest: String

    public init(sequence: Int64, digest: String) {
        self.sequence = sequence
        self.digest = digest
    }
}

public struct GCDocument: Codable {
    public let dryRun: Bool
    public let unreferencedBlobs: [String]
    public let bytes: Int64
    public let keptRecent: [String]
    public let deletionRefused: String?
    public let abandonedTemporaries: Int

    public init(dryRun: Bool, unreferencedBlobs: [String], bytes: Int64, keptRecent: [String], deletionRefused: String?, abandonedTemporaries: Int) {
        self.dryRun = dryRun
        self.unreferencedBlobs = unreferencedBlobs
        self.bytes = bytes
        self.keptRecent = keptRecent
        self.deletionRefused = deletionRefused
        self.abandonedTemporaries = abandonedTemporaries
    }
}

public struct ErrorDocument: Codable {
    public struct Body: Codable {
        public let kind: String
        public let message: String
        public let hint: String?
        public let exitCode: Int32
    }
    public let error: Body

    public init(_ error: RegistryError) {
        self.error = Body(kind: error.kind.rawValue, message: error.message, hint: error.hint, exitCode: error.exitCode)
    }
}
