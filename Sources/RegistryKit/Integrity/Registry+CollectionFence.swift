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

    /// How long a refused write waits, in all, for the collections that refused it to finish.
    static let collectionWait: TimeInterval = 15

    /// Runs `body` with a fresh fence, again when gc collected a blob the write referenced: the
    /// next run stores it again. Before running again it waits for the collections begun after
    /// its fence to finish (the fence moves past them), since a blob still present while gc
    /// removes its page would not be stored again; a gc that stopped midway makes it give up
    /// after `collectionWait` seconds in all. `firstFence`: one read earlier, before the caller
    /// stored blobs that the first run references.
    func retryingCollected<T>(from firstFence: Int64? = nil, _ body: (Int64) throws(RegistryError) -> T) throws(RegistryError) -> T {
        var attempt = 1
        var earlier = firstFence
        let deadline = Date().addingTimeInterval(Self.collectionWait)
        while true {
            let fence: Int64
            if let known = earlier { fence = known } else { fence = try collectionFence() }
            earlier = nil
            do {
                return try body(fence)
            } catch where !error.collectedBlobs.isEmpty && attempt < Self.collectedRetries && Date() < deadline {
                attempt += 1
                try waitForCollections(beyond: fence, until: deadline)
            }
        }
    }

    /// Waits until the collection log's fence has moved past `fence` (the collections that were
    /// unfinished then are finished), or until `deadline`.
    func waitForCollections(beyond fence: Int64, until deadline: Date) throws(RegistryError) {
        while try collectionFence() <= fence, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
