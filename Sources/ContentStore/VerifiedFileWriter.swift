import ContentHashing
import Glibc
import RegistryModel
import RegistryStorage

/// Writes a blob that arrives in pieces (a download) to a new file, hashing as it goes, and
/// keeps the file only when its bytes hash to the digest it was asked for.
///
/// The file is created exclusively, so an existing file is never overwritten; on any failure,
/// or when the digest differs, it is removed, so a caller never finds a copy it cannot trust.
///
/// `@unchecked Sendable`: a writer belongs to one download, whose chunks arrive one after
/// another (on the connection's thread), and is finished after the download completed.
public final class VerifiedFileWriter: @unchecked Sendable {
    private let file: FileDescriptor
    private var hasher = StreamingSHA256()
    private var finished = false
    private var written: Int64 = 0

    public init(creating path: String) throws(ContentStoreError) {
        file = try FileDescriptor.createExclusive(path, mode: 0o600)
    }

    public func write(_ chunk: UnsafeRawBufferPointer) throws(ContentStoreError) {
        hasher.update(chunk)
        try file.writeAll(chunk)
        file.startWriteback(offset: written, count: chunk.count)
        written += Int64(chunk.count)
    }

    /// Checks the digest, sets the mode, fsyncs and closes; throws (and removes the file) when
    /// the bytes are not `digest`'s.
    public func finish(expecting digest: Digest, executable: Bool) throws(ContentStoreError) {
        finished = true
        do throws(ContentStoreError) {
            let actual = hasher.finalize()
            guard actual == digest else { throw .corruptBlob(digest, actual: actual, movedTo: nil) }
            try file.setMode(executable ? 0o755 : 0o644)
            try file.sync()
            try file.close()
        } catch {
            discard()
            throw error
        }
    }

    /// Removes the partial file.
    public func discard() {
        finished = true
        try? file.close()
        unlink(file.path)
    }

    deinit {
        if !finished { discard() }
    }
}
