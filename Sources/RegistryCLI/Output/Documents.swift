import Foundation
import RegistryKit
import RegistryModel

/// The JSON documents the commands print with `--json`; each has a schema in `schemas/`.
///
/// Keys are snake_case; optional values that are absent are left out rather than written null.
struct VersionDocument: Encodable {
    struct Parent: Encodable {
        let reference: String
        let version: Int
        let digest: String
    }
    struct Dataset: Encodable {
        let role: String
        let digest: String
        let size: Int64
        let files: Int
        let directory: Bool
        let stored: Bool
        let sourcePath: String
    }
    struct File: Encodable {
        let path: String
        let digest: String
        let size: Int64
        let executable: Bool
    }
    struct Git: Encodable {
        let commit: String
        let branch: String?
        let remoteUrl: String?
        let message: String
        let author: String
        let committedAt: String
        let dirty: Bool
        let changedPaths: [String]
    }

    let model: String
    let version: Int
    let reference: String
    let digest: String
    let createdAt: String
    let registeredBy: RegistrantDocument
    /// The description and labels now: as registered, with every annotation applied.
    let description: String?
    let parent: Parent?
    let params: [String: JSONValue]
    let labels: [String: String]
    /// Changes of labels and description after registration, oldest first.
    let annotations: [AnnotationDocument]
    let metrics: [String: Double]
    let datasets: [Dataset]
    let files: [File]
    let size: Int64
    let git: Git?
    let gitNote: String?
    /// The aliases pointing at the version now.
    let aliases: [String]
    /// active, deprecated or rolled_back.
    let status: String
    let deprecation: String?
    let rollback: String?
    let signatures: [SignatureDocument]
    let evaluations: [EvaluationDocument]

    init(_ record: VersionRecord, release: ReleaseState? = nil, evaluations: [EvaluationRecord] = [], annotations: [RecordedAnnotation] = []) {
        self.evaluations = evaluations.map { EvaluationDocument($0) }
        self.annotations = annotations.map(AnnotationDocument.init)
        let annotated = record.annotated(by: annotations)
        aliases = release?.aliases.map(\.value) ?? []
        status = release.map { $0.deprecation != nil ? "deprecated" : $0.rollback != nil ? "rolled_back" : "active" } ?? "active"
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
struct AnnotationDocument: Encodable {
    let sequence: Int64
    let at: String
    let actor: RegistrantDocument
    let reason: String?
    let labels: [String: String]
    let removedLabels: [String]
    let description: String?

    init(_ recorded: RecordedAnnotation) {
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
struct RegistrantDocument: Encodable {
    let user: String
    let host: String
    let ciProvider: String?
    let ciJobId: String?
    let ciJobUrl: String?
    /// The person the CI provider says started the job.
    let ciActor: String?

    init(_ registrant: Registrant) {
        ciActor = registrant.ciActor
        user = registrant.user
        host = registrant.host
        ciProvider = registrant.ciProvider
        ciJobId = registrant.ciJobID
        ciJobUrl = registrant.ciJobURL
    }
}

struct InitDocument: Encodable {
    let registry: String
    let created: Bool
    let formatVersion: Int
    /// The PostgreSQL address, when the metadata is not embedded.
    let metadata: String?
    /// The OCI address, when the blobs are not embedded.
    let blobs: String?
}

struct RegisterDocument: Encodable {
    let created: Bool
    let bytesStored: Int64
    let warnings: [String]
    let version: VersionDocument
}

struct ModelListDocument: Encodable {
    struct Model: Encodable {
        let name: String
        let versions: Int
        let latestVersion: Int?
        let latestCreatedAt: String?
        let aliases: [String: Int]
    }
    let models: [Model]
}

struct VersionListDocument: Encodable {
    struct Version: Encodable {
        let reference: String
        /// The version number, as every document names it.
        let version: Int
        let digest: String
        let createdAt: String
        let gitCommit: String?
        let gitDirty: Bool
        let files: Int
        let size: Int64
        let metrics: [String: Double]
        /// Metrics computed by `evaluate` (`holdout.roc_auc`), the latest per key, with intervals.
        let evaluated: [String: Evaluated]
        let aliases: [String]
        let status: String
    }
    struct Evaluated: Encodable {
        let value: Double
        let ciLow: Double?
        let ciHigh: Double?
    }
    let model: String
    /// How many versions the model has; `versions` holds the newest of them (see --limit).
    let total: Int
    /// The model's aliases and the versions they name now, listed or not.
    let aliases: [String: Int]
    let versions: [Version]
}

struct ExportDocument: Encodable {
    let reference: String
    /// The version number, as every document names it.
    let version: Int
    let digest: String
    let destination: String
    let files: Int
    let bytes: Int64
    let replaced: Bool
}

struct VerifyDocument: Encodable {
    struct Problem: Encodable {
        let kind: String
        let digest: String?
        let detail: String
        let affected: [String]
    }
    let ok: Bool
    let versionsChecked: Int
    let blobsChecked: Int
    let bytesChecked: Int64
    let signaturesChecked: Int
    let eventsChecked: Int
    let recordsChecked: Int
    /// The ledger's newest event after a whole-registry check (keep it for `--expect-head`).
    let head: HeadDocument?
    let problems: [Problem]
    let unreferencedBlobs: [String]
}

struct HeadDocument: Encodable {
    let sequence: Int64
    let digest: String
}

struct GCDocument: Encodable {
    let dryRun: Bool
    let unreferencedBlobs: [String]
    let bytes: Int64
    let keptRecent: [String]
    let deletionRefused: String?
    let abandonedTemporaries: Int
}

struct ErrorDocument: Encodable {
    struct Body: Encodable {
        let kind: String
        let message: String
        let hint: String?
        let exitCode: Int32
    }
    let error: Body

    init(_ error: RegistryError) {
        self.error = Body(kind: error.kind.rawValue, message: error.message, hint: error.hint, exitCode: error.exitCode)
    }
}

extension Console {
    /// How every failure is reported: one line on stderr, and with `--json` the error document on
    /// stdout unless the command's own document already described the failure.
    static func report(_ error: RegistryError, json: Bool) {
        err("error: \(error.description)")
        if json && !error.documentPrinted { self.json(ErrorDocument(error)) }
    }
}
