import Foundation
import RegistryModel
import RegistryStorage

extension Registry {
    /// Which of these blobs the store lacks (or holds with another size): what a client must
    /// upload before it registers. Asked again after an interrupted upload, it names what is left.
    public func missingBlobs(_ wanted: [(digest: Digest, size: Int64)]) throws(RegistryError) -> [Digest] {
        let store = blobs
        return try Parallel.map(wanted) { (blob) throws(RegistryError) -> Digest? in
            store.storedSize(of: blob.digest) == blob.size ? nil : blob.digest
        }.compactMap { $0 }
    }

    /// Stores a blob a client uploaded (spooled to `path`), re-hashing it on the way in: refused,
    /// and nothing stored, unless its bytes are `expected`.
    public func storeUpload(fileAt path: String, expected: Digest) throws(RegistryError) -> IngestResult {
        // Held while the blob is copied in, as a registration holds it: `gc` waits.
        let storeLock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "upload")
        defer { withExtendedLifetime(storeLock) {} }
        do {
            return try blobs.ingest(fileAt: path, expected: expected, progress: nil)
        } catch {
            throw Self.uploadFailure(error, expected: expected)
        }
    }

    /// Opens the relay of a client's upload straight into a blob store that takes pushed blobs
    /// (OCI: the bytes go on as they arrive, hashed on the way); nil when the store does not, and
    /// the upload is spooled and stored with `storeUpload`.
    public func beginRelayedUpload(expected: Digest, length: Int64) throws(RegistryError) -> RelayedUpload? {
        guard let pushing = blobs as? any BlobPushing else { return nil }
        let storeLock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "upload")
        do {
            return RelayedUpload(push: try pushing.beginPush(expected: expected, length: length), expected: expected, storeLock: storeLock)
        } catch {
            throw RegistryError(error)
        }
    }

    /// A failed upload as the client is told: bytes that hash to another digest are its mistake.
    static func uploadFailure(_ error: ContentStoreError, expected: Digest) -> RegistryError {
        if case .digestMismatch(_, let actual, _) = error {
            return RegistryError(
                .usage, "the uploaded bytes hash to \(actual), not \(expected)",
                hint: "the file changed since it was hashed, or the upload was damaged; upload it again ('mreg register' does)")
        }
        return RegistryError(error)
    }
}

/// A client's upload on its way into the blob store: its pieces in order, then `finish` (the blob
/// is stored only if it is the digest expected) or `cancel`. Holds the store lock as
/// `storeUpload` does, until it is finished or dropped.
public final class RelayedUpload: Sendable {
    private let push: any BlobPush
    private let expected: Digest
    private let storeLock: StoreLock

    init(push: any BlobPush, expected: Digest, storeLock: StoreLock) {
        self.push = push
        self.expected = expected
        self.storeLock = storeLock
    }

    public func write(_ piece: UnsafeRawBufferPointer) throws(RegistryError) {
        do {
            try push.write(piece)
        } catch {
            throw Registry.uploadFailure(error, expected: expected)
        }
    }

    public func finish() throws(RegistryError) -> IngestResult {
        do {
            return try push.finish()
        } catch {
            throw Registry.uploadFailure(error, expected: expected)
        }
    }

    public func cancel() { push.cancel() }
}
