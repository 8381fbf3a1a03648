import ContentHashing
import NIOConcurrencyHelpers
import RegistryModel
import RegistryStorage

extension OCIBlobStore: BlobPushing {
    public func beginPush(expected: Digest, length: Int64) throws(ContentStoreError) -> any BlobPush {
        if let held = try holder(of: expected) { return OCIBlobPush(store: self, expected: expected, length: length, target: .held(size: held.size)) }
        let location = try startUpload(in: blobRepository)
        let sender = ChunkedUploadSender(
            client: client, location: location, source: OCIBlobPush.source(expected), length: length, chunkSize: uploadChunkSize)
        return OCIBlobPush(store: self, expected: expected, length: length, target: .upload(sender))
    }
}

/// A blob pushed into the blob repository as a chunked upload, hashed as it is sent, and
/// committed under its digest only when that is the one expected. A blob already held is not
/// sent again; its bytes are still hashed, so a wrong body is refused either way.
///
/// Sendable by its lock: every call holds it for its whole length (the calls come one at a
/// time anyway, each waiting on the network).
final class OCIBlobPush: BlobPush, @unchecked Sendable {
    enum Target {
        case held(size: Int64)
        case upload(ChunkedUploadSender)
    }

    private let store: OCIBlobStore
    private let expected: Digest
    private let length: Int64
    private let lock = NIOLock()
    /// nil once finished or cancelled.
    private var target: Target?
    private var hasher = StreamingSHA256()
    private var received: Int64 = 0

    init(store: OCIBlobStore, expected: Digest, length: Int64, target: Target) {
        self.store = store
        self.expected = expected
        self.length = length
        self.target = target
    }

    /// What the push is, for messages.
    static func source(_ expected: Digest) -> String { "the upload of \(expected)" }
    private var source: String { Self.source(expected) }

    func write(_ piece: UnsafeRawBufferPointer) throws(ContentStoreError) {
        lock.lock()
        defer { lock.unlock() }
        guard let target else { throw .sizeMismatch(expected: length, actual: received + Int64(piece.count), path: source) }
        received += Int64(piece.count)
        hasher.update(piece)
        if case .upload(let sender) = target { try sender.send(piece) }
    }

    func finish() throws(ContentStoreError) -> IngestResult {
        lock.lock()
        defer { lock.unlock() }
        guard let target else { throw .sizeMismatch(expected: length, actual: received, path: source) }
        self.target = nil
        let digest = hasher.finalize()
        switch target {
        case .held(let size):
            guard received == length else { throw .sizeMismatch(expected: length, actual: received, path: source) }
            guard digest == expected else { throw .digestMismatch(expected: expected, actual: digest, path: source) }
            return IngestResult(digest: digest, size: size, wasNew: false)
        case .upload(let sender):
            let location: String
            do throws(ContentStoreError) {
                location = try sender.finish()
            } catch {
                sender.cancel(store)
                throw error
            }
            try store.complete(uploadAt: location, digest: digest, expected: expected, source: source)
            return IngestResult(digest: digest, size: length, wasNew: try store.hold(digest, size: length))
        }
    }

    func cancel() {
        lock.lock()
        defer { lock.unlock() }
        if case .upload(let sender) = target { sender.cancel(store) }
        target = nil
    }
}
