import Foundation
import RegistryStorage
import RegistryModel

/// Writers' side of the collection log (`BlobCollectionLogging`): read the fence before looking at
/// blobs, hand it with the blobs referenced to the write, and run again when gc took one.
extension Registry {
    /// Where the collection log stands: read before a command checks or stores any blob it will reference.
    public func collectionFence() throws(RegistryError) -> Int64 {
        try database { (db) throws(MetadataError) in try db.collectionFence() }
    }

    /// How often a write runs again after gc collected a blob it was about to reference.
    static let collectedRetries = 5

    /// Runs `body` with a fresh fence, again when gc collected a blob the write referenced: the
    /// next run stores it again. Waits a little between runs, so that a collection begun but not
    /// finished (its blob still present, so not stored again) has time to finish.
    func retryingCollected<T>(_ body: (Int64) throws(RegistryError) -> T) throws(RegistryError) -> T {
        var attempt = 1
        while true {
            do {
                return try body(try collectionFence())
            } catch where !error.collectedBlobs.isEmpty && attempt < Self.collectedRetries {
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
                attempt += 1
            }
        }
    }
}
