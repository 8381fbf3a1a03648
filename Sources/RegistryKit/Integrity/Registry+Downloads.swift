import Foundation
import Glibc
import RegistryModel
import RegistryStorage

/// A blob opened for sending to a client: an open file to read, and the digest its bytes must
/// hash to. The file is either the local store's own (read in place; a `gc` that removes it
/// meanwhile cannot take it away from an open descriptor) or a verified copy already unlinked.
public final class OpenedBlob: Sendable {
    public let digest: Digest
    public let size: Int64
    /// Whether the bytes still need their digest checked while they are sent: the local store's
    /// file is read in place, unchecked; a copy was checked when it was made.
    public let needsCheck: Bool
    private let descriptor: Int32

    init(digest: Digest, descriptor: Int32, needsCheck: Bool) throws(RegistryError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw RegistryError(.io, "cannot read blob \(digest): \(RegistryError.systemMessage(code))")
        }
        self.digest = digest
        self.size = Int64(info.st_size)
        self.needsCheck = needsCheck
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes at `offset`; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(RegistryError) -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno != EINTR { throw RegistryError(.io, "cannot read blob \(digest): \(RegistryError.systemMessage(errno))") }
        }
    }
}

extension Registry {
    /// Opens one blob of a version for a client (`mreg export` through a server): its manifest or
    /// one of its files, and nothing else, so that a token granted some models reads only theirs.
    /// A blob of a remote store is first copied (verified) into `spool`, then unlinked.
    public func openBlob(_ digest: Digest, of reference: String, spool: String) throws(RegistryError) -> OpenedBlob {
        let record = try resolve(reference: reference)
        try requireLive(record, toBe: "be exported")
        guard digest == record.manifestDigest || record.files.contains(where: { $0.digest == digest }) else {
            throw RegistryError(
                .notFound, "blob \(digest) is not part of \(record.model)@\(record.number)",
                hint: "ask for its manifest (\(record.manifestDigest)) or one of the files it names")
        }
        if let local = blobs as? any LocalBlobStoring {
            let descriptor = Glibc.open(local.path(of: digest), O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { throw RegistryError(ContentStoreError.missingBlob(digest)) }
                throw RegistryError(.io, "cannot open blob \(digest): \(RegistryError.systemMessage(errno))")
            }
            return try OpenedBlob(digest: digest, descriptor: descriptor, needsCheck: true)
        }
        try? FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let path = "\(spool)/\(getpid())-\(UInt64.random(in: .min ... .max))\(Self.downloadSuffix)"
        try Registry.storeBlob { () throws(ContentStoreError) in try blobs.copyVerified(digest, to: path, executable: false, progress: nil) }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        let code = errno
        unlink(path)
        guard descriptor >= 0 else { throw RegistryError(.io, "cannot open the copy of blob \(digest): \(RegistryError.systemMessage(code))") }
        return try OpenedBlob(digest: digest, descriptor: descriptor, needsCheck: false)
    }

    /// The suffix of a blob copied for a client (`PID-RANDOM.download`), which a killed server leaves.
    public static let downloadSuffix = ".download"
}
