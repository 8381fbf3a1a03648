import ContentHashing
import ContentStore
import Foundation
import RegistryModel
import RegistryStorage
import RegistryTestSupport
import Testing

/// What every blob store must guarantee, checked the same way on each implementation (the
/// folder, an OCI registry): containerd's `content/testsuite` and restic's `backend/test` in
/// spirit. Each check takes a fresh, empty store and a scratch folder on the real disk.
public enum BlobStoreConformance {
    /// Sizes around the streaming buffers: empty, one byte, and more than two 4 MiB read chunks
    /// (and, for a store made with a small upload chunk, many upload chunks).
    public static let sizes = [0, 1, 4 << 20, (8 << 20) + 17]

    /// A file ingested streams through and comes back byte for byte, under its SHA-256.
    public static func roundTripsFiles(_ store: any BlobStoring, scratch: String, seed: UInt64 = 1) throws {
        for size in sizes {
            var random = SeededGenerator(seed: seed &+ UInt64(size))
            let bytes = random.bytes(size)
            let source = scratch + "/in-\(size).bin"
            try writeFile(source, bytes)
            let result = try store.ingest(fileAt: source, progress: nil)
            #expect(result.size == Int64(size))
            #expect(result.digest == FileHashing.digest(of: bytes))
            #expect(store.verify(result.digest) == .intact(size: Int64(size)))
            #expect(store.storedSize(of: result.digest) == Int64(size))
            let copy = scratch + "/out-\(size).bin"
            try store.copyVerified(result.digest, to: copy, executable: size == 1, progress: nil)
            #expect(try readFile(copy) == bytes)
            let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int
            #expect(mode == (size == 1 ? 0o755 : 0o644))
            if size < 1 << 20 { #expect(try store.readVerified(result.digest) == bytes) }
        }
    }

    /// Putting the same bytes twice stores them once and says so.
    public static func putIsIdempotent(_ store: any BlobStoring, scratch: String) throws {
        let bytes = Array("the same bytes, twice".utf8)
        let first = try store.ingest(bytes: bytes)
        let second = try store.ingest(bytes: bytes)
        #expect(first.wasNew && !second.wasNew)
        #expect(first.digest == second.digest)
        try writeFile(scratch + "/same.bin", bytes)
        let fromFile = try store.ingest(fileAt: scratch + "/same.bin", progress: nil)
        #expect(!fromFile.wasNew && fromFile.digest == first.digest)
        #expect(try store.listBlobs().blobs.filter { $0 == first.digest }.count == 1)
        let retried = try store.ingestIfAlreadyStored(fileAt: scratch + "/same.bin", candidate: first.digest, progress: nil)
        #expect(retried == IngestResult(digest: first.digest, size: Int64(bytes.count), wasNew: false))
        try writeFile(scratch + "/other.bin", "other bytes")
        #expect(try store.ingestIfAlreadyStored(fileAt: scratch + "/other.bin", candidate: first.digest, progress: nil) == nil)
    }

    /// A file whose digest is not the one expected is refused, and nothing is stored under either.
    public static func refusesADigestMismatch(_ store: any BlobStoring, scratch: String) throws {
        try writeFile(scratch + "/a.bin", "hello")
        let wrong = FileHashing.digest(of: Array("something else".utf8))
        #expect(throws: ContentStoreError.self) { try store.ingest(fileAt: scratch + "/a.bin", expected: wrong, progress: nil) }
        let listed = try store.listBlobs().blobs
        #expect(!listed.contains(wrong) && !listed.contains(FileHashing.digest(of: Array("hello".utf8))))
    }

    /// A blob never stored is missing everywhere, and reading it is an integrity error, not a crash.
    public static func reportsAMissingBlob(_ store: any BlobStoring, scratch: String) throws {
        let absent = FileHashing.digest(of: Array("never stored".utf8))
        #expect(store.verify(absent) == .missing)
        #expect(store.storedSize(of: absent) == nil)
        #expect(throws: ContentStoreError.missingBlob(absent)) { try store.readVerified(absent) }
        #expect(throws: ContentStoreError.missingBlob(absent)) { try store.copyVerified(absent, to: scratch + "/absent", executable: false, progress: nil) }
        #expect(!FileManager.default.fileExists(atPath: scratch + "/absent"), "no partial copy is left")
    }

    /// Listing names every stored blob; removal takes one away and leaves the others.
    public static func listsAndRemoves(_ store: any BlobStoring, scratch: String) throws {
        let kept = try store.ingest(bytes: Array("kept".utf8)).digest
        let removed = try store.ingest(bytes: Array("removed".utf8)).digest
        #expect(Set(try store.listBlobs().blobs).isSuperset(of: [kept, removed]))
        try store.remove(removed)
        #expect(store.verify(removed) == .missing)
        #expect(!(try store.listBlobs().blobs.contains(removed)))
        #expect(store.verify(kept) == .intact(size: 4))
        // Stored again after removal, it is new again.
        #expect(try store.ingest(bytes: Array("removed".utf8)).wasNew)
    }

    /// A store that takes pushed blobs (a server relays uploads into it): pieces of odd sizes
    /// across its upload chunks store the blob byte for byte; the same bytes again are not new;
    /// bytes of another digest, too few bytes, or a cancelled push store nothing.
    public static func pushesBlobs(_ store: any BlobPushing, seed: UInt64 = 7) throws {
        var random = SeededGenerator(seed: seed)
        let bytes = random.bytes((8 << 20) + 17)
        let digest = FileHashing.digest(of: bytes)
        func push(_ bytes: [UInt8], as expected: Digest, length: Int? = nil, piece: Int = (1 << 20) + 3) throws -> any BlobPush {
            let push = try store.beginPush(expected: expected, length: Int64(length ?? bytes.count))
            for start in stride(from: 0, to: bytes.count, by: piece) {
                try bytes[start..<min(start + piece, bytes.count)].withUnsafeBytes { try push.write($0) }
            }
            return push
        }
        let stored = try push(bytes, as: digest).finish()
        #expect(stored == IngestResult(digest: digest, size: Int64(bytes.count), wasNew: true))
        #expect(store.verify(digest) == .intact(size: Int64(bytes.count)))
        #expect(try push(bytes, as: digest).finish() == IngestResult(digest: digest, size: Int64(bytes.count), wasNew: false))
        // Other bytes under a stored digest are refused too, though they would not be stored.
        var other = bytes
        other[5] ^= 0xFF
        #expect(throws: ContentStoreError.digestMismatch(expected: digest, actual: FileHashing.digest(of: other), path: "the upload of \(digest)")) {
            try push(other, as: digest).finish()
        }
        let fresh = random.bytes(3 << 20)
        let freshDigest = FileHashing.digest(of: fresh)
        var wrong = fresh
        wrong[0] ^= 0xFF
        #expect(throws: ContentStoreError.self) { try push(wrong, as: freshDigest).finish() }
        #expect(throws: ContentStoreError.self) { try push(Array(fresh.dropLast()), as: freshDigest, length: fresh.count).finish() }
        try push(fresh, as: freshDigest).cancel()
        #expect(store.verify(freshDigest) == .missing, "a refused or cancelled push stores nothing")
        #expect(!(try store.listBlobs().blobs.contains(freshDigest)))
    }

    /// Every check, in order, each on the same fresh store.
    public static func all(_ store: any BlobStoring, scratch: String) throws {
        try roundTripsFiles(store, scratch: scratch)
        try putIsIdempotent(store, scratch: scratch)
        try refusesADigestMismatch(store, scratch: scratch)
        try reportsAMissingBlob(store, scratch: scratch)
        try listsAndRemoves(store, scratch: scratch)
        if let pushing = store as? any BlobPushing { try pushesBlobs(pushing) }
    }
}
