import Foundation
import RegistryModel
import RegistryStorage

extension Registry {
    /// Runs `body` with a file holding the blob: the stored file itself in a local store, or a
    /// verified copy downloaded into a temporary folder (removed afterwards) from a remote one.
    func withBlobFile<T>(_ digest: Digest, _ body: (String) throws(RegistryError) -> T) throws(RegistryError) -> T {
        if let local = blobs as? any LocalBlobStoring { return try body(local.path(of: digest)) }
        let folder = NSTemporaryDirectory() + "/mreg-blob-\(getpid())-\(UInt64.random(in: .min ... .max))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.io, "cannot create the temporary folder '\(folder)': \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/" + digest.hex
        try storeBlob { () throws(ContentStoreError) in try blobs.copyVerified(digest, to: file, executable: false, progress: nil) }
        return try body(file)
    }
}
