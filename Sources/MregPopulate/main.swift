import ContentHashing
import Foundation
import MetadataStore
import PostgresMetadata
import RegistryKit
import RegistryModel
import RegistryStorage
import SQLMetadata

/// Fills a registry made by `mreg init` with MODELS × VERSIONS versions through the library's
/// metadata store (the same rows, events and hash chain `register` writes; one transaction per
/// batch instead of per version), for the million-version benchmarks. Each version has three
/// files (weights per model, a config and a tokenizer shared by all), two metrics, a label, a
/// git commit and a parameter set of its own, so its manifest and registration document are
/// its own blobs. Blobs are written straight into `blobs/sha256/` (the documented layout) and
/// synced once at the end rather than one fsync each. Promotions give every model a production
/// holder with an earlier one to roll back to, and a staging holder.
///
/// Usage: mreg-populate REGISTRY MODELS VERSIONS [--metadata postgres://…] [--start ISO8601]
let arguments = CommandLine.arguments
guard arguments.count >= 4, let models = Int(arguments[2]), let versions = Int(arguments[3]), models > 0, versions > 0 else {
    FileHandle.standardError.write(Data("usage: mreg-populate REGISTRY MODELS VERSIONS [--metadata postgres://USER@HOST:PORT/DB] [--start ISO8601]\n".utf8))
    exit(64)
}
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let root = arguments[1]
let blobs = root + "/blobs/sha256"
let start = option("--start").flatMap(Timestamp.parse) ?? Timestamp.parse("2024-01-01T00:00:00.000Z")!
let store: any SQLMetadataStore
do {
    if let address = option("--metadata") {
        let parsed = try PostgresAddress(parsing: address)
        store = try PostgresMetadataStore.open(
            address: parsed, password: PostgresPassword.find(for: parsed, environment: ProcessInfo.processInfo.environment), busyTimeout: 60)
    } else {
        store = try MetadataDatabase.open(path: root + "/registry.sqlite")
    }
} catch {
    FileHandle.standardError.write(Data("mreg-populate: cannot open the registry's metadata: \(error)\n".utf8))
    exit(1)
}

/// Writes a blob unless it is there, read-only as the store keeps them; returns its digest.
func blob(_ bytes: [UInt8]) -> Digest {
    let digest = StreamingSHA256.hash(bytes)
    let path = blobs + "/" + digest.hex
    if access(path, F_OK) != 0 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        if fd >= 0 {
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }
    return digest
}

func file(_ path: String, _ text: String) -> FileEntry {
    let bytes = Array(text.utf8)
    return FileEntry(path: path, digest: blob(bytes), size: Int64(bytes.count), executable: false)
}

let registrant = Registrant(user: "ci", host: "runner-1", ciProvider: "github", ciJobID: "4242", ciJobURL: nil, ciActor: "octocat")
let config = file("config.json", "{\"layers\": [64, 32], \"activation\": \"relu\"}")
let tokenizer = file("tokenizer.json", String(repeating: "token ", count: 200))
let clock = Date()
var inserted = 0
let batchSize = 1000
do {
    for m in 0..<models {
        let name = try ModelName(String(format: "model-%04d", m))
        let weights = file("weights.bin", String(repeating: "weights of \(name) ", count: 60))
        var batch = [NewVersion]()
        for v in 1...versions {
            let createdAt = start.addingTimeInterval(Double(v) * 600 + Double(m))
            let seed = Double(m * versions + v)
            let commit = StreamingSHA256.hash(Array("\(name)@\(v)".utf8)).hex.prefix(40)
            let git = GitProvenance(
                commit: String(commit), branch: "main", remoteURL: "git@example.com:team/\(name).git", message: "train \(name) run \(v)", author: "ci <ci@example.com>",
                committedAt: createdAt, dirty: false, changedPaths: [], workTree: nil)
            let manifest = Manifest(
                model: name, files: [config, tokenizer, weights],
                params: ["lr": .number(0.001 * Double(1 + v % 10)), "seed": .number(seed), "optimizer": .string("adam")], datasets: [],
                metrics: [try Metric(key: "holdout.auc", value: 0.7 + Double((m * 7919 + v * 104_729) % 2500) / 10_000), try Metric(key: "holdout.log_loss", value: 0.3)],
                labels: ["owner": "team-\(m % 10)"], description: nil, parent: nil, git: git)
            let manifestDigest = blob(try manifest.canonicalBytes())
            let registration = blob(try CanonicalJSON.encode(RecordDocument.registration(
                manifest: manifestDigest, createdAt: createdAt, registrant: registrant, git: git, gitNote: nil, datasetSources: [:])))
            batch.append(NewVersion(
                manifest: manifest, manifestDigest: manifestDigest, gitNote: nil, createdAt: createdAt, registrant: registrant, datasetListings: [:],
                registrationRecord: registration, datasetRecords: [:]))
            if batch.count == batchSize || v == versions {
                _ = try store.insertVersions(batch, seal: Registry.sealEvent)
                inserted += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        // production: v-2 then v-1 (so rollback has a target); staging: v.
        let ids = try (max(1, versions - 2)...versions).map { try store.versionID(model: name, number: $0)! }
        for (alias, id) in [("production", ids[0]), ("production", ids[ids.count > 1 ? 1 : 0]), ("staging", ids[ids.count - 1])] {
            let holder = try store.holder(model: name, alias: try AliasName(alias))
            _ = try store.appendEvent(
                EventDraft(
                    model: name, alias: try AliasName(alias), action: .promote, toVersionID: id, at: start.addingTimeInterval(Double(versions + 1) * 600),
                    actor: registrant, reason: "populate", forced: false, gates: "[]", expectedHolderID: .some(holder)),
                seal: Registry.sealEvent)
        }
        if (m + 1) % max(1, models / 20) == 0 || m == models - 1 {
            let rate = Double(inserted) / Date().timeIntervalSince(clock)
            FileHandle.standardError.write(Data("\(inserted) versions (\(Int(rate))/s)\n".utf8))
        }
    }
} catch {
    FileHandle.standardError.write(Data("mreg-populate: \(error)\n".utf8))
    exit(1)
}
sync()
print("\(inserted) versions of \(models) model(s) in \(Int(Date().timeIntervalSince(clock))) s")
