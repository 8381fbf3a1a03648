import Foundation
import RegistryModel

/// The JSON documents the pages are drawn from: each page shows its twin in the API (the same
/// document `--json` prints), read back with the fields the page uses. A field the API adds
/// later is ignored; one it drops fails the page loudly rather than showing a blank.
enum Twin {
    struct ModelList: Decodable {
        struct Model: Decodable {
            let name: String
            let versions: Int
            let latestVersion: Int?
            let latestCreatedAt: String?
            let aliases: [String: Int]
        }
        let models: [Model]
    }

    struct VersionList: Decodable {
        struct Version: Decodable {
            let version: Int
            let digest: String
            let createdAt: String
            let gitCommit: String?
            let gitDirty: Bool
            let files: Int
            let size: Int64
            let metrics: [String: Double]
            /// Computed by `evaluate`, with intervals: what the charts draw whiskers for.
            let evaluated: [String: Evaluated]
            let aliases: [String]
            let status: String
        }
        struct Evaluated: Decodable {
            let value: Double
            let ciLow: Double?
            let ciHigh: Double?
        }
        let model: String
        let total: Int
        let aliases: [String: Int]
        let versions: [Version]
    }

    struct Registrant: Decodable {
        let user: String
        let host: String
        let ciProvider: String?
        let ciJobUrl: String?
    }

    struct Pointer: Decodable {
        let reference: String
        let version: Int
    }

    struct History: Decodable {
        struct Event: Decodable {
            let sequence: Int
            let action: String
            let alias: String?
            let at: String
            let actor: Registrant
            let forced: Bool?
            let reason: String?
            let from: Pointer?
            let to: Pointer?
        }
        let events: [Event]
    }

    struct Version: Decodable {
        struct Dataset: Decodable {
            let role: String
            let digest: String
            let size: Int64
            let files: Int
            let sourcePath: String
        }
        struct File: Decodable {
            let path: String
            let digest: String
            let size: Int64
            let executable: Bool
        }
        struct Git: Decodable {
            let commit: String
            let branch: String?
            let message: String
            let author: String
            let committedAt: String
            let dirty: Bool
            let changedPaths: [String]
        }
        struct Signature: Decodable {
            let key: String
            let fingerprint: String
            /// `verified`, `untrusted`, `invalid`…: as `mreg show` judges it now.
            let state: String
            let signedAt: String
            let signedBy: String
        }
        struct Evaluation: Decodable {
            struct Metric: Decodable {
                let name: String
                let value: Double
                let ciLow: Double?
                let ciHigh: Double?
            }
            let id: Int64
            let dataset: String
            /// The role the version gave that dataset (`holdout`), when it recorded it.
            let datasetKey: String?
            let task: String?
            let metrics: [Metric]
            /// The stored predictions' digest, when the evaluation kept them (what `compare` pairs).
            let predictions: String?
            /// The task's details: confusion matrix, per-class table, `slices` (per group).
            let details: JSONValue
            let createdAt: String
            let provenance: String
        }
        let model: String
        let version: Int
        let reference: String
        let digest: String
        let createdAt: String
        let registeredBy: Registrant
        let description: String?
        let parent: Pointer?
        let params: JSONValue
        let labels: [String: String]
        let metrics: [String: Double]
        let datasets: [Dataset]
        let files: [File]
        let size: Int64
        let git: Git?
        let aliases: [String]
        let status: String
        let deprecation: String?
        let rollback: String?
        let signatures: [Signature]
        let evaluations: [Evaluation]
    }

    /// `dataset show`: the column statistics of each table the dataset holds.
    struct Dataset: Decodable {
        struct Table: Decodable {
            struct Column: Decodable {
                struct Count: Decodable {
                    let value: String
                    let count: Int64
                }
                let name: String
                let type: String
                let count: Int64
                let missing: Int64
                let distinctEstimate: Int64
                let min: Double?
                let max: Double?
                let mean: Double?
                let std: Double?
                let top: [Count]
            }
            let path: String
            let format: String
            let rows: Int64
            let columns: [Column]
        }
        let digest: String
        let tables: [Table]
    }

    struct Lineage: Decodable {
        struct Node: Decodable {
            let id: String
            let kind: String
            let label: String
        }
        struct Edge: Decodable {
            let from: String
            let to: String
            let label: String
        }
        let root: String
        let nodes: [Node]
        let edges: [Edge]
    }

    struct HistoryAt: Decodable {
        struct Holder: Decodable {
            let alias: String
            let since: String
            let version: Pointer?
        }
        let at: String
        let aliases: [Holder]
    }

    struct Diff: Decodable {
        struct Change: Decodable {
            let name: String
            let change: String
            let before: JSONValue?
            let after: JSONValue?
            let delta: Double?
        }
        struct Commit: Decodable {
            let id: String
            let subject: String
        }
        struct Git: Decodable {
            let relation: String
            let total: Int
            let commits: [Commit]
        }
        let a: String
        let b: String
        let params: [Change]
        let metrics: [Change]
        let datasets: [Change]
        let files: [Change]
        let unchangedFiles: Int
        let git: Git?
        let gitNote: String?
    }

    struct Comparison: Decodable {
        struct Difference: Decodable {
            let metric: String
            let a: Double
            let b: Double
            let difference: Double
            let ciLow: Double?
            let ciHigh: Double?
            let pValue: Double?
            let significant: Bool
            let improved: Bool
        }
        let examples: Int
        let level: Double
        let differences: [Difference]
    }

    struct Promotion: Decodable {
        struct Gate: Decodable {
            let gate: String
            let metric: String?
            let outcome: String
            let actual: JSONValue?
            let required: JSONValue?
            let detail: String
        }
        let model: String
        let alias: String
        let version: Pointer
        let previous: Pointer?
        /// moved, unchanged, refused or dry_run.
        let result: String
        let wouldMove: Bool
        let warnings: [String]
        let forced: Bool
        let gates: [Gate]
    }

    struct DriftList: Decodable {
        struct Report: Decodable {
            let id: Int64
            let at: String
            let actor: Registrant
            let against: String
            let data: String
            let rows: Int64
            let drifted: Bool
            let flagged: [String]
            let columns: Int
        }
        let reference: String
        let reports: [Report]
        let more: Bool
    }

    struct Drift: Decodable {
        struct Thresholds: Decodable {
            let psi: Double
            let alpha: Double
            let psiWithTest: Double
            let missingRate: Double
        }
        struct Column: Decodable {
            let column: String
            let status: String
            let referenceType: String?
            let currentType: String?
            let test: String?
            let statistic: Double?
            let pValue: Double?
            let psi: Double?
            let referenceMissingRate: Double?
            let currentMissingRate: Double?
            let reasons: [String]
        }
        struct Recorded: Decodable {
            let id: Int64
            let at: String
            let actor: Registrant
        }
        let reference: String
        let version: Int
        let against: String
        let referenceDataset: String
        let referenceFile: String
        let referenceRows: Int64
        let data: String
        let dataDigest: String
        let rows: Int64
        let thresholds: Thresholds
        let columns: [Column]
        let recorded: Recorded?
    }

    struct ErrorDocument: Decodable {
        struct Error: Decodable {
            let message: String
            let hint: String?
        }
        let error: Error
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }
}
