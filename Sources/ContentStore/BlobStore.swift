
import ContentHashing
import Glibc
import RegistryModel
import RegistryStorage

/// The content-addressed blob store: every blob lives once at `blobs/sha256/<hex>`, read-only.
///
/// Ingest follows containerd's and git's order so that a crash at any instant leaves at worst an
/// orphan temporary file or an orphan blob, never a half-written file at a final path:
/// stream into `tmp/` while hashing → fsync → rename to the digest path → fsync the directory.
public struct BlobStore: LocalBlobStoring {
    /// Bytes per `read(2)` (see `FileHashing.chunkSize`).
    public static let chunkSize = FileHashing.chunkSize

    public let root: String
    public var blobsDirectory: String { root + "/blobs/sha256" }
    public var location: String { blobsDirectory }
    public var temporaryDirectory: String { root + "/tmp" }
    /// Where corrupt blobs are moved: kept for inspection, no longer served.
    public var quarantineDirectory: String { root + "/quarantine/sha256" }

    public init(root: String) {
        self.root = root
    }

    public func path(of digest: Digest) -> String { blobsDirectory + "/" + digest.hex }

    /// Creates `blobs/sha256/` and `tmp/` (idempotent).
    public func createLayout() throws(ContentStoreError) {
        for directory in [root + "/blobs", blobsDirectory, temporaryDirectory] {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw .io(operation: "create directory", path: directory, errno: errno)
            }
        }
    }

    /// The size of a stored blob, or nil when it is missing.
    public func storedSize(of digest: Digest) -> Int64? {
        var info = stat()
        guard stat(path(of: digest), &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    // MARK: Ingest

    /// Streams a file into the store in one pass, hashing while copying.
    ///
    /// When the blob already exists, the temporary copy is discarded unsynced, so re-registering
    /// identical content never rewrites or fsyncs a blob.
    public func ingest(
        fileAt sourcePath: String, expected: Digest? = nil, progress: (any ProgressObserver)? = nil
    ) throws(ContentStoreError) -> IngestResult {
        let source = try FileDescriptor.openForReading(sourcePath)
        let staging = try TemporaryBlob(in: temporaryDirectory)
        let digest: Digest
        let total: Int64
        do throws(ContentStoreError) {
            (digest, total) = try PipelinedCopy.run(from: source, to: staging.file, chunkSize: Self.chunkSize, progress: progress)
        } catch {
            staging.discard()
            throw error
        }
        if let expected, expected != digest {
            staging.discard()
            throw .digestMismatch(expected: expected, actual: digest, path: sourcePath)
        }
        return try commit(staging, digest: digest, size: total)
    }

    /// Re-hashes a file without copying it and reports it as already stored when it is the
    /// `candidate` blob (the CI-retry case: no temporary copy, no write, no fsync); nil otherwise,
    /// and the caller ingests it as usual.
    public func ingestIfAlreadyStored(
        fileAt sourcePath: String, candidate: Digest, progress: (any ProgressObserver)? = nil
    ) throws(ContentStoreError) -> IngestResult? {
        guard let stored = storedSize(of: candidate) else { return nil }
        let (digest, size) = try FileHashing.hash(fileAt: sourcePath, progress: progress)
        guard digest == candidate, size == stored else { return nil }
        return IngestResult(digest: digest, size: size, wasNew: false)
    }

    /// Stores bytes held in memory (manifests, signatures): small by construction.
    public func ingest(bytes: [UInt8]) throws(ContentStoreError) -> IngestResult {
        let digest = StreamingSHA256.hash(bytes)
        if storedSize(of: digest) == Int64(bytes.count) {
            return IngestResult(digest: digest, size: Int64(bytes.count), wasNew: false)
        }
        let staging = try TemporaryBlob(in: temporaryDirectory)
        let failure: ContentStoreError? = bytes.withUnsafeBytes { raw in
            do throws(ContentStoreError) { try staging.file.writeAll(raw) } catch { return error }
            return nil
        }
        if let failure {
            staging.discard()
            throw failure
        }
        return try commit(staging, digest: digest, size: Int64(bytes.count))
    }

    /// Moves a fully written temporary file to its digest path, durably.
    ///
    /// An existing blob of the right size is kept (ingest is idempotent); one of the wrong size is
    /// corrupt and is replaced by the fresh, verified copy.
    private func commit(_ staging: TemporaryBlob, digest: Digest, size: Int64) throws(ContentStoreError) -> IngestResult {
        let finalPath = path(of: digest)
        if storedSize(of: digest) == size {
            staging.discard()
            return IngestResult(digest: digest, size: size, wasNew: false)
        }
        do throws(ContentStoreError) {
            try staging.file.setMode(0o444)
            try staging.file.sync()
            try staging.file.close()
            guard rename(staging.path, finalPath) == 0 else {
                throw .io(operation: "rename into place", path: finalPath, errno: errno)
            }
        } catch {
            staging.discard()
            throw error
        }
        try syncDirectory(blobsDirectory)
        return IngestResult(digest: digest, size: size, wasNew: true)
    }

    // MARK: Reading and verifying

    /// Re-hashes a stored blob and says whether it is intact.
    public func verify(_ digest: Digest, progress: (any ProgressObserver)? = nil) -> BlobStatus {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.openForReading(path(of: digest))
        } catch {
            return .missing
        }
        do {
            let (actual, size) = try FileHashing.stream(file, progress: progress) { _ throws(ContentStoreError) in }
            return actual == digest ? .intact(size: size) : .corrupt(actual: actual, movedTo: quarantine(digest))
        } catch {
            return .unreadable(error.description)
        }
    }

    /// Reads a small blob fully into memory, verifying its digest (manifests).
    public func readVerified(_ digest: Digest) throws(ContentStoreError) -> [UInt8] {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.openForReading(path(of: digest))
        } catch {
            throw .missingBlob(digest)
        }
        var bytes = [UInt8]()
        let (actual, _) = try FileHashing.stream(file, progress: nil) { (chunk) throws(ContentStoreError) in bytes += chunk }
        guard actual == digest else { throw .corruptBlob(digest, actual: actual, movedTo: quarantine(digest)) }
        return bytes
    }

    /// Copies a blob to a new file, hashing while copying; throws before the caller can use a
    /// copy whose bytes differ from the digest. The copy is fsynced so it survives a crash.
    public func copyVerified(
        _ digest: Digest, to destination: String, executable: Bool, progress: (any ProgressObserver)? = nil
    ) throws(ContentStoreError) {
        let source: FileDescriptor
        do {
            source = try FileDescriptor.openForReading(path(of: digest))
        } catch {
            throw .missingBlob(digest)
        }
        let target = try FileDescriptor.createExclusive(destination, mode: 0o600)
        let (actual, _) = try PipelinedCopy.run(from: source, to: target, chunkSize: Self.chunkSize, progress: progress)
        guard actual == digest else { throw .corruptBlob(digest, actual: actual, movedTo: quarantine(digest)) }
        try target.setMode(executable ? 0o755 : 0o644)
        try target.sync()
        try target.close()
    }

    // MARK: Listing and removal

    /// Reads the blob folder as the directory is read, a page at a time (`readdir`): a million
    /// blobs are never a million names in memory.
    public func forEachBlobPage(size: Int, _ visit: (_ blobs: [Digest], _ strayNames: [String]) -> Bool) throws(ContentStoreError) {
        guard let directory = opendir(blobsDirectory) else { throw .io(operation: "list", path: blobsDirectory, errno: errno) }
        defer { closedir(directory) }
        var page = [Digest]()
        var stray = [String]()
        page.reserveCapacity(size)
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if let digest = Digest(hex: name) { page.append(digest) } else if name != "." && name != ".." { stray.append(name) }
            if page.count == size || stray.count == size {
                guard visit(page, stray) else { return }
                page.removeAll(keepingCapacity: true)
                stray.removeAll()
            }
        }
        if !page.isEmpty || !stray.isEmpty { _ = visit(page, stray) }
    }

    /// Deletes blobs, then syncs the folder once for all of them. A blob unlinked counts as gone
    /// even when the sync fails (the failure is returned too): gc must not take it for present.
    public func remove(_ digests: [Digest]) -> (removed: Int, failure: ContentStoreError?) {
        var failure: ContentStoreError?
        var removed = 0
        for digest in digests {
            let target = path(of: digest)
            guard unlink(target) == 0 || errno == ENOENT else {
                failure = .io(operation: "remove", path: target, errno: errno)
                break
            }
            removed += 1
        }
        do {
            try syncDirectory(blobsDirectory)
        } catch {
            failure = failure ?? error
        }
        return (removed, failure)
    }

    /// Deletes a blob (garbage collection only: the store is otherwise append-only).
    public func remove(_ digest: Digest) throws(ContentStoreError) {
        let target = path(of: digest)
        guard unlink(target) == 0 || errno == ENOENT else { throw .io(operation: "remove", path: target, errno: errno) }
        try syncDirectory(blobsDirectory)
    }

    /// Moves a blob found corrupt out of `blobs/` into `quarantine/sha256/<hex>.<unix time>`, so it
    /// is never served again and the next ingest of the right bytes stores them afresh (a corrupt
    /// blob of the right size would otherwise be taken as already stored). Returns where it went,
    /// or nil when it could not be moved (it is then left in place and still reported).
    func quarantine(_ digest: Digest) -> String? {
        for directory in [root + "/quarantine", quarantineDirectory] where mkdir(directory, 0o755) != 0 && errno != EEXIST {
            return nil
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let target = "\(quarantineDirectory)/\(digest.hex).\(now.tv_sec).\(now.tv_nsec)"
        guard rename(path(of: digest), target) == 0 else { return nil }
        try? syncDirectory(blobsDirectory)
        try? syncDirectory(quarantineDirectory)
        return target
    }

    /// Where earlier corrupt copies of a blob were moved, oldest first.
    public func quarantinedCopies(of digest: Digest) -> [String] {
        guard let names = try? directoryEntries(quarantineDirectory) else { return [] }
        return names.filter { $0.hasPrefix(digest.hex + ".") }.sorted().map { quarantineDirectory + "/" + $0 }
    }

    func syncDirectory(_ path: String) throws(ContentStoreError) {
        let directory = try FileDescriptor.openDirectory(path)
        try directory.sync()
        try directory.close()
    }
}

/// Lists a directory's entry names, without `.` and `..`.
func directoryEntries(_ path: String) throws(ContentStoreError) -> [String] {
    guard let directory = opendir(path) else { throw .io(operation: "list", path: path, errno: errno) }
    defer { closedir(directory) }
    var names = [String]()
    while let entry = readdir(directory) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
