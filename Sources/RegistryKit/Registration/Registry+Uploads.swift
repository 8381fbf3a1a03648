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
            if case .digestMismatch(_, let actual, _) = error {
                throw RegistryError(
                    .usage, "the uploaded bytes hash to \(actual), not \(expected)",
                    hint: "the file changed since it was hashed, or the upload was damaged; upload it again ('mreg register' does)")
            }
            throw RegistryError(error)
        }
    }
}
