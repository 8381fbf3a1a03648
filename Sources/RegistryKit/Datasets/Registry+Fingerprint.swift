import ContentHashing
import RegistryStorage
import DatasetProfiling
import Foundation
import RegistryModel

/// A dataset as fingerprinted: its use, a directory's listing, its tabular files' profiles, and
/// what a person should know about them.
struct FingerprintedDataset {
    let use: DatasetUse
    let listing: [FileEntry]?
    let profiles: [StoredProfile]
    let warnings: [String]
    /// Its files, in the order given (a directory's listing, or the one file).
    let entries: [FileEntry]
}

extension Registry {
    /// Computes a dataset's fingerprint and profiles its tabular files (CSV, TSV, JSON Lines)
    /// from the same read that hashes them (unless `profile` is off: a lookup by content needs
    /// the digest only), storing its files when asked to.
    func fingerprintDataset(
        role: String, path: String, files: [SourceFile], currentDirectory: String, store: Bool, progress: (any ProgressDisplay)?,
        profile: Bool = true
    ) throws(RegistryError) -> FingerprintedDataset {
        let dataset = try Self.fingerprint(
            role: role, path: path, files: files, currentDirectory: currentDirectory, stored: store, progress: progress, profile: profile)
        if store {
            // Stored datasets are copied as blobs (verified by `verify`); the copy re-hashes them.
            let stored = try ingest(files, label: "store dataset \(role)", progress: progress).0
            guard stored.map(\.digest) == dataset.entries.map(\.digest) else {
                throw RegistryError(.conflict, "dataset '\(path)' changed while it was read", hint: "run the command again once it is written")
            }
        }
        return dataset
    }

    /// The fingerprint of a dataset file or folder on this machine, or nil when there is none at
    /// `path`: what a client sends a server for it (a server reads no path of its own).
    public static func datasetDigest(atPath path: String, currentDirectory: String) throws(RegistryError) -> Digest? {
        guard FileManager.default.fileExists(atPath: RegistryLocator.absolute(path, from: currentDirectory)) else { return nil }
        let files = try SourceFileCollector.collect([path], currentDirectory: currentDirectory, what: "dataset")
        return try fingerprint(role: "find", path: path, files: files, currentDirectory: currentDirectory, stored: false, progress: nil, profile: false)
            .use.fingerprint.digest
    }

    /// The fingerprint and profiles of a dataset's files, read once; `stored` records it as
    /// stored too (its files are then blobs: copied here, or uploaded to a server).
    static func fingerprint(
        role: String, path: String, files: [SourceFile], currentDirectory: String, stored: Bool, progress: (any ProgressDisplay)?,
        profile: Bool = true
    ) throws(RegistryError) -> FingerprintedDataset {
        let absolute = RegistryLocator.absolute(path, from: currentDirectory)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
        var profiles = [String: TableProfile]()
        let task = progress?.begin("fingerprint dataset \(role)", totalBytes: files.reduce(0) { $0 + $1.size })
        let results = try Parallel.map(files) { (file) throws(RegistryError) -> (FileEntry, TableProfile?) in
            let profiler = profile ? TableProfiler.format(forPath: file.relativePath).map(TableProfiler.init(format:)) : nil
            let (digest, size) = try Registry.storeBlob { () throws(ContentStoreError) in
                guard let profiler else { return try FileHashing.hash(fileAt: file.absolutePath, progress: task) }
                return try FileHashing.hash(fileAt: file.absolutePath, progress: task) { chunk in profiler.consume(chunk) }
            }
            // A stored file keeps its mode, as a model's files do.
            return (FileEntry(path: file.relativePath, digest: digest, size: size, executable: stored && file.executable), profiler?.finish())
        }
        task?.finish()
        let entries = results.map(\.0)
        for (entry, profile) in results { if let profile { profiles[entry.path] = profile } }
        let size = entries.reduce(0) { $0 + $1.size }
        let fingerprint: DatasetFingerprint
        if isDirectory.boolValue {
            // A listing holds only text and integers; failing to encode it is a bug, never an empty listing.
            let listing = try Self.documentBytes(DatasetFingerprint.directoryListing(entries), what: "directory listing")
            fingerprint = DatasetFingerprint(digest: FileHashing.digest(of: listing), size: size, fileCount: entries.count, isDirectory: true)
        } else {
            fingerprint = DatasetFingerprint(digest: entries[0].digest, size: size, fileCount: 1, isDirectory: false)
        }
        var warnings = [String]()
        var storedProfiles = [StoredProfile]()
        for entry in entries {
            guard let profile = profiles[entry.path] else { continue }
            storedProfiles.append(StoredProfile(path: entry.path, fileDigest: entry.digest, json: try Self.profileJSON(profile)))
            if let problem = Self.describeProblems(profile.problems) {
                warnings.append("dataset \(role): \(entry.path) \(problem)")
            }
        }
        let use = DatasetUse(role: role, fingerprint: fingerprint, sourcePath: path, stored: stored)
        return FingerprintedDataset(
            use: use, listing: isDirectory.boolValue ? entries : nil, profiles: storedProfiles, warnings: warnings, entries: entries)
    }

    /// Profiles are stored as JSON with sorted keys, so equal profiles are equal text.
    static func profileJSON(_ profile: TableProfile) throws(RegistryError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(profile), as: UTF8.self)
        } catch {
            throw .bug("a column profile cannot be encoded: \(error)")
        }
    }

    static func decodeProfile(_ json: String) -> TableProfile? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(TableProfile.self, from: Data(json.utf8))
    }

    /// One phrase for what did not fit the format (README, "Dataset profiles"), or nil.
    public static func describeProblems(_ problems: ProfileProblems) -> String? {
        var parts = [String]()
        if problems.empty { parts.append("is empty (no header)") }
        if problems.raggedRows > 0 { parts.append("has \(problems.raggedRows) row(s) with the wrong number of fields (missing fields count as missing)") }
        if problems.malformedRows > 0 { parts.append("has \(problems.malformedRows) line(s) that are not JSON objects (skipped)") }
        if problems.unclosedQuote { parts.append("ends inside a quoted field") }
        if problems.invalidUTF8Values > 0 { parts.append("has \(problems.invalidUTF8Values) value(s) that are not UTF-8 (stored with U+FFFD)") }
        guard !parts.isEmpty else { return nil }
        let lines = problems.exampleLines.isEmpty ? "" : " (lines \(problems.exampleLines.map(String.init).joined(separator: ", ")))"
        return parts.joined(separator: "; ") + lines
    }
}
