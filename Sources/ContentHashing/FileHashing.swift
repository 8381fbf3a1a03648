import Glibc
import RegistryModel
import RegistryStorage

/// SHA-256 of files and bytes without storing them (dataset fingerprints, predictions, uploads,
/// verification): no store is involved, so callers that hash need no store module.
public enum FileHashing {
    /// Bytes per `read(2)`: large enough to amortise syscalls and let SHA-NI run, small enough
    /// that memory stays bounded (one buffer per concurrent stream).
    public static let chunkSize = 4 << 20

    /// The digest of bytes held in memory (manifests, events, directory listings).
    public static func digest(of bytes: [UInt8]) -> Digest {
        StreamingSHA256.hash(bytes)
    }

    /// Hashes a file.
    public static func hash(fileAt path: String, progress: (any ProgressObserver)? = nil) throws(ContentStoreError) -> (digest: Digest, size: Int64) {
        try stream(FileDescriptor.openForReading(path), progress: progress) { _ throws(ContentStoreError) in }
    }

    /// Hashes a file and hands every chunk to `consume` on a second thread as it is read (a
    /// dataset profiler, an upload): one pass over the disk, hashing and the consumer overlap.
    /// `consume` is called serially and is done with every chunk when this returns; its first
    /// error stops the reading and is rethrown. `chunkSize` is the read size; an upload, which
    /// copies each chunk once more into its socket buffers, reads smaller chunks to keep its memory down.
    public static func hash(
        fileAt path: String, chunkSize: Int = chunkSize, progress: (any ProgressObserver)? = nil,
        consume: @escaping (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void
    ) throws(ContentStoreError) -> (digest: Digest, size: Int64) {
        let file = try FileDescriptor.openForReading(path)
        return try PipelinedCopy.pipeline(from: file, chunkSize: chunkSize, progress: progress, sink: consume)
    }

    /// The size of a file about to be streamed somewhere (an upload's Content-Length).
    public static func size(ofFileAt path: String) throws(ContentStoreError) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(operation: "read the size of", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Streams an open file through SHA-256 in fixed-size chunks on this thread, handing each chunk to `consume`.
    package static func stream(
        _ file: FileDescriptor, progress: (any ProgressObserver)?,
        consume: (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void
    ) throws(ContentStoreError) -> (digest: Digest, size: Int64) {
        var hasher = StreamingSHA256()
        var total: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let count = try file.read(into: buffer)
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(chunk)
            try consume(chunk)
            total += Int64(count)
            progress?.advance(by: count)
        }
        return (hasher.finalize(), total)
    }
}
