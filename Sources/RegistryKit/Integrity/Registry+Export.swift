import RegistryStorage
import Foundation
import Glibc
import RegistryModel

/// The version an export writes: who it is, and the files its manifest names.
public struct ExportedVersion: Sendable {
    public let model: String
    public let number: Int
    public let manifestDigest: Digest
    public let files: [FileEntry]

    public init(model: String, number: Int, manifestDigest: Digest, files: [FileEntry]) {
        self.model = model
        self.number = number
        self.manifestDigest = manifestDigest
        self.files = files
    }

    init(_ record: VersionRecord) {
        self.init(model: record.model.value, number: record.number, manifestDigest: record.manifestDigest, files: record.files)
    }

    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }
}

/// What `export` wrote.
public struct ExportOutcome: Sendable {
    public let version: ExportedVersion
    public let destination: String
    public let files: Int
    public let bytes: Int64
    /// Whether an existing non-empty destination was replaced (`--force`).
    public let replaced: Bool
}

/// Writes one file of an export to a new file at a path, re-checking its digest while copying:
/// from this registry's blob store, or from a server's.
public typealias ExportCopy = @Sendable (_ file: FileEntry, _ path: String, _ progress: (any ProgressObserver)?) throws(RegistryError) -> Void

extension Registry {
    /// Materialises a version's files under `destination`, verifying every digest while copying.
    public func export(
        _ reference: String, to destination: String, force: Bool, currentDirectory: String, progress: (any ProgressDisplay)? = nil
    ) throws(RegistryError) -> ExportOutcome {
        let record = try resolve(reference: reference)
        try requireLive(record, toBe: "be exported")
        let store = blobs
        return try Self.export(
            ExportedVersion(record), to: destination, force: force, currentDirectory: currentDirectory, progress: progress
        ) { (file, path, task) throws(RegistryError) in
            try Registry.storeBlob { () throws(ContentStoreError) in
                try store.copyVerified(file.digest, to: path, executable: file.executable, progress: task)
            }
        }
    }

    /// Materialises `version`'s files under `destination`, each written by `copy`.
    ///
    /// The tree is built in a hidden temporary folder beside the destination and renamed into
    /// place only when complete, so a failed or killed export never leaves a tree that looks whole.
    public static func export(
        _ version: ExportedVersion, to destination: String, force: Bool, currentDirectory: String, progress: (any ProgressDisplay)?,
        copy: @escaping ExportCopy
    ) throws(RegistryError) -> ExportOutcome {
        // The paths come from a manifest, which a server sends: none may reach outside the tree.
        if let unsafe = version.files.first(where: { !isInsideTree($0.path) }) {
            throw RegistryError(
                .integrity, "\(version.model)@\(version.number)'s manifest names '\(unsafe.path)', a path outside the folder to export into",
                hint: "nothing was written; this manifest was not made by mreg, report where it came from")
        }
        let target = RegistryLocator.absolute(destination, from: currentDirectory)
        let parent = (target as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .usage("'\(parent)' is a file, not a folder to export into") }
        } else {
            // Missing parent folders are created, as `mkdir -p` would (they stay if the export fails).
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw RegistryError(.io, "cannot create the folder '\(parent)': \(error.localizedDescription)")
            }
        }
        let existing = try destinationState(target, shown: destination)
        if existing == .nonEmpty && !force {
            throw RegistryError(.conflict, "'\(destination)' exists and is not empty", hint: "choose an empty or new folder, or pass --force to replace it")
        }

        let name = (target as NSString).lastPathComponent
        removeAbandonedExports(of: name, in: parent)
        let token = String(UInt64.random(in: .min ... .max), radix: 16)
        let staging = "\(parent)/.\(name).mreg-export-\(getpid())-\(token)"
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
        } catch {
            throw RegistryError(.io, "cannot create '\(staging)': \(error.localizedDescription)")
        }
        do throws(RegistryError) {
            try materialize(version.files, into: staging, label: "export \(version.model)@\(version.number)", progress: progress, copy: copy)
            try moveIntoPlace(staging, target: target, replacing: existing, token: token)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return ExportOutcome(
            version: version, destination: target, files: version.files.count, bytes: version.totalSize, replaced: existing == .nonEmpty)
    }

    /// Whether a manifest path stays inside the tree it is written to: relative, without `.` or `..`.
    static func isInsideTree(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    private enum DestinationState { case absent, empty, nonEmpty }

    /// Removes the hidden folders that killed exports into the same destination left behind
    /// (`.NAME.mreg-export-PID-TOKEN`, `.NAME.mreg-replaced-PID-TOKEN`), once their process is gone.
    static func removeAbandonedExports(of name: String, in parent: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries {
            for kind in ["mreg-export", "mreg-replaced"] where entry.hasPrefix(".\(name).\(kind)-") {
                let fields = entry.dropFirst(".\(name).\(kind)-".count).split(separator: "-")
                guard fields.count == 2, let pid = pid_t(fields[0]), pid != getpid(), kill(pid, 0) == -1, errno == ESRCH else { continue }
                try? FileManager.default.removeItem(atPath: parent + "/" + entry)
            }
        }
    }

    private static func destinationState(_ target: String, shown: String) throws(RegistryError) -> DestinationState {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else { return .absent }
        guard isDirectory.boolValue else {
            throw RegistryError(.conflict, "'\(shown)' exists and is a file, not a folder", hint: "choose a folder path")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
        return contents.isEmpty ? .empty : .nonEmpty
    }

    /// Copies every file (both cores, largest first), creating folders as needed.
    private static func materialize(
        _ files: [FileEntry], into root: String, label: String, progress: (any ProgressDisplay)?, copy: @escaping ExportCopy
    ) throws(RegistryError) {
        let folders = Set(files.compactMap { file -> String? in
            let folder = (file.path as NSString).deletingLastPathComponent
            return folder.isEmpty ? nil : folder
        })
        for folder in folders.sorted() {
            do {
                try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            } catch {
                throw RegistryError(.io, "cannot create '\(root)/\(folder)': \(error.localizedDescription)")
            }
        }
        let task = progress?.begin(label, totalBytes: files.reduce(0) { $0 + $1.size })
        defer { task?.finish() }
        _ = try Parallel.map(files.sorted { $0.size > $1.size }) { (file) throws(RegistryError) in try copy(file, root + "/" + file.path, task) }
        for folder in folders.sorted().reversed() + [""] {
            Self.syncDirectory(folder.isEmpty ? root : root + "/" + folder)
        }
    }

    /// Renames the finished tree into place; a replaced tree is moved aside first, then deleted.
    private static func moveIntoPlace(_ staging: String, target: String, replacing existing: DestinationState, token: String) throws(RegistryError) {
        let parent = (target as NSString).deletingLastPathComponent
        var aside: String?
        if existing == .nonEmpty {
            let old = "\(parent)/.\((target as NSString).lastPathComponent).mreg-replaced-\(getpid())-\(token)"
            guard rename(target, old) == 0 else {
                throw RegistryError(.io, "cannot move the old '\(target)' aside: \(RegistryError.systemMessage(errno))")
            }
            aside = old
        }
        guard rename(staging, target) == 0 else {
            let code = errno
            if let aside { _ = rename(aside, target) }
            throw RegistryError(.io, "cannot move the export into '\(target)': \(RegistryError.systemMessage(code))")
        }
        Self.syncDirectory(parent)
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
    }

    /// Makes a directory's entries durable; best effort, as the data files are already synced.
    static func syncDirectory(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = fsync(fd)
    }
}
