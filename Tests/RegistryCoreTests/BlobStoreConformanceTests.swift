import ContentStore
import Foundation
import OCIBlobStore
import RegistryStorage
import RegistryTestSupport
import StorageConformance
import Testing

/// The blob store conformance suite on each implementation: the folder of the embedded default,
/// and the throwaway OCI registry scripts/test starts (docker-registry on loopback).
@Suite struct BlobStoreConformanceTests {
    @Test func theFolderStoreConforms() throws {
        let directory = TemporaryDirectory()
        let store = BlobStore(root: directory.url("store"))
        try FileManager.default.createDirectory(atPath: directory.url("store"), withIntermediateDirectories: true)
        try store.createLayout()
        try FileManager.default.createDirectory(atPath: directory.url("scratch"), withIntermediateDirectories: true)
        try BlobStoreConformance.all(store, scratch: directory.url("scratch"))
    }

    /// Uploads go in 3 MiB PATCH chunks, so the 4 MiB read chunks straddle their boundaries
    /// (and so do the pushed pieces of a relayed upload).
    @Test func anOCIRegistryConforms() throws {
        let directory = TemporaryDirectory()
        let address = try OCIAddress(parsing: try TestBackend.newOCIAddress())
        let store = OCIBlobStore(address: address, credentials: nil, collectionGrace: 0, uploadChunkSize: 3 << 20)
        #expect((store as any BlobStoring) is any BlobPushing, "an OCI store takes relayed uploads")
        try BlobStoreConformance.all(store, scratch: directory.path)
    }
}
