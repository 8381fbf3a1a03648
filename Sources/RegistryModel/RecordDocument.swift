import Foundation

/// The documents that fact events of the ledger commit to: canonical JSON, stored as blobs.
///
/// Each document is built from exactly the values the database keeps for the fact, so
/// `verify` (and every read that a gate or `show` relies on) rebuilds it from the rows and
/// compares digests: a row edited or deleted behind mreg's back no longer matches the
/// document that the hash chain recorded. Versions are named by manifest digest, never by a
/// database key, so the documents mean the same thing on every backend.
public enum RecordDocument {
    /// What a registration recorded beyond the manifest: when, by whom, the git details that
    /// follow from the commit, and where each dataset was read from.
    public static func registration(
        manifest: Digest, createdAt: Date, registrant: Registrant, git: GitProvenance?, gitNote: String?, datasetSources: [String: String]
    ) -> JSONValue {
        .object([
            "format": .string("mreg-registration-v1"),
            "manifest": .string(manifest.description),
            "created_at": .string(Timestamp.format(createdAt)),
            "registrant": registrant.documentValue,
            "git": git.map { git in
                .object([
                    "branch": optional(git.branch), "remote_url": optional(git.remoteURL), "message": .string(git.message),
                    "author": .string(git.author), "committed_at": .string(Timestamp.format(git.committedAt)),
                    "work_tree": optional(git.workTree),
                ])
            } ?? .null,
            "git_note": optional(gitNote),
            "dataset_sources": .object(datasetSources.mapValues(JSONValue.string)),
        ])
    }

    /// Everything an evaluation recorded, in the order its metrics were computed.
    public static func evaluation(_ evaluation: EvaluationRecord) -> JSONValue {
        .object([
            "format": .string("mreg-evaluation-v1"),
            "version": .string(evaluation.version.manifestDigest.description),
            "dataset": .string(evaluation.dataset.description),
            "dataset_key": .string(evaluation.datasetKey),
            "task": optional(evaluation.task),
            "metrics": .array(evaluation.metrics.map { metric in
                .object([
                    "name": .string(metric.name), "value": .number(metric.value),
                    "interval": metric.interval.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null,
                ])
            }),
            "details": evaluation.details,
            "predictions": optional(evaluation.predictions?.description),
            "git": .object(["commit": optional(evaluation.gitCommit), "dirty": .bool(evaluation.gitDirty)]),
            "created_at": .string(Timestamp.format(evaluation.createdAt)),
            "registrant": evaluation.registrant.documentValue,
        ])
    }

    /// A stored signature of a version's manifest digest.
    public static func signature(manifest: Digest, keyFingerprint: Digest, keyName: String, signature: [UInt8], signedAt: Date, signedBy: String) -> JSONValue {
        .object([
            "format": .string("mreg-signature-v1"),
            "manifest": .string(manifest.description),
            "key": .string(keyFingerprint.description),
            "key_name": .string(keyName),
            "signature": .string(Data(signature).base64EncodedString()),
            "signed_at": .string(Timestamp.format(signedAt)),
            "signed_by": .string(signedBy),
        ])
    }

    /// A dataset's content as first recorded: its fingerprint, a directory's listing, and the
    /// digest of each tabular file's stored profile (what `drift` compares against).
    public static func datasetContents(_ fingerprint: DatasetFingerprint, listing: [FileEntry], profileDigests: [(path: String, file: Digest, profile: Digest)]) -> JSONValue {
        .object([
            "format": .string("mreg-dataset-v1"),
            "digest": .string(fingerprint.digest.description),
            "size": .integer(fingerprint.size),
            "files": .integer(Int64(fingerprint.fileCount)),
            "is_directory": .bool(fingerprint.isDirectory),
            "listing": DatasetFingerprint.directoryListing(listing),
            "profiles": .array(profileDigests.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }.map {
                .object(["path": .string($0.path), "file": .string($0.file.description), "profile": .string($0.profile.description)])
            }),
        ])
    }

    /// A name given to a dataset's content with `mreg dataset add`.
    public static func datasetName(name: String, dataset: Digest, sourcePath: String, addedAt: Date, addedBy: Registrant) -> JSONValue {
        .object([
            "format": .string("mreg-dataset-name-v1"),
            "name": .string(name),
            "dataset": .string(dataset.description),
            "source_path": .string(sourcePath),
            "added_at": .string(Timestamp.format(addedAt)),
            "added_by": .object(["user": .string(addedBy.user), "host": .string(addedBy.host)]),
        ])
    }

    private static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}

extension Registrant {
    /// Who did something, as ledger events and record documents write it.
    public var documentValue: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var members: [String: JSONValue] = [
            "user": .string(user), "host": .string(host), "ci_provider": text(ciProvider), "ci_job_id": text(ciJobID), "ci_job_url": text(ciJobURL),
        ]
        // Only when known, so the bytes of everything recorded before it existed stay as they were.
        if let ciActor { members["ci_actor"] = .string(ciActor) }
        return .object(members)
    }
}
