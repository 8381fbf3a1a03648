import ContentHashing
import RegistryStorage
@testable import ContentStore
import Foundation
import RegistryModel
import RegistryTestSupport
import Testing

@Suite struct BlobStoreTests {
    func makeStore() throws -> (TemporaryDirectory, BlobStore) {
        let directory = TemporaryDirectory()
        let store = BlobStore(root: directory.path)
        try store.createLayout()
        return (directory, store)
    }

    /// sha256sum is an independent implementation of the same hash.
    func referenceDigest(_ path: String) throws -> String {
        let result = try run("/usr/bin/sha256sum", [path], in: "/")
        return String(result.stdout.prefix(64))
    }

    static let sizes: [Int] = [0, 1, BlobStore.chunkSize - 1, BlobStore.chunkSize, BlobStore.chunkSize * 2 + 17]

    @Test(arguments: sizes)
    func ingestRoundTripsAnySize(size: Int) throws {
        let (directory, store) = try makeStore()
        var random = SeededGenerator(seed: UInt64(size) &+ 1)
        let bytes = random.bytes(size)
        let source = directory.url("input.bin")
        try writeFile(source, bytes)
        let result = try store.ingest(fileAt: source)
        #expect(result.wasNew)
        #expect(result.size == Int64(size))
        #expect(result.digest.hex == (try referenceDigest(source)))
        #expect(try readFile(store.path(of: result.digest)) == bytes)
        #expect(store.verify(result.digest) == .intact(size: Int64(size)))
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path(of: result.digest))
        #expect((attributes[.posixPermissions] as? Int) == 0o444)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory).isEmpty)
    }

    @Test func ingestIsIdempotentAndDoesNotRewriteTheBlob() throws {
        let (directory, store) = try makeStore()
        var random = SeededGenerator(seed: 9)
        try writeFile(directory.url("a.bin"), random.bytes(100_000))
        let first = try store.ingest(fileAt: directory.url("a.bin"))
        let inode = try FileManager.default.attributesOfItem(atPath: store.path(of: first.digest))[.systemFileNumber] as? Int
        let second = try store.ingest(fileAt: directory.url("a.bin"))
        #expect(!second.wasNew)
        #expect(second.digest == first.digest)
        #expect(try FileManager.default.attributesOfItem(atPath: store.path(of: first.digest))[.systemFileNumber] as? Int == inode)
        #expect(try store.listBlobs().blobs == [first.digest])
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory).isEmpty)
    }

    @Test func expectedDigestMismatchStoresNothing() throws {
        let (directory, store) = try makeStore()
        try writeFile(directory.url("a.bin"), "hello")
        let wrong = Digest(rawBytes: [UInt8](repeating: 0, count: 32))
        #expect(throws: ContentStoreError.self) { try store.ingest(fileAt: directory.url("a.bin"), expected: wrong) }
        #expect(try store.listBlobs().blobs.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory).isEmpty)
    }

    @Test func corruptBlobsAreDetectedAndNeverCopied() throws {
        let (directory, store) = try makeStore()
        try writeFile(directory.url("a.bin"), "original content")
        let digest = try store.ingest(fileAt: directory.url("a.bin")).digest
        let path = store.path(of: digest)
        chmod(path, 0o644)
        try writeFile(path, "tampered content")
        guard case .corrupt = store.verify(digest) else {
            Issue.record("a tampered blob must verify as corrupt")
            return
        }
        #expect(throws: ContentStoreError.self) {
            try store.copyVerified(digest, to: directory.url("out.bin"), executable: false)
        }
        unlink(path)
        #expect(store.verify(digest) == .missing)
    }

    @Test func ingestReplacesABlobOfTheWrongSize() throws {
        let (directory, store) = try makeStore()
        try writeFile(directory.url("a.bin"), "the real bytes")
        let digest = try store.ingest(fileAt: directory.url("a.bin")).digest
        chmod(store.path(of: digest), 0o644)
        try writeFile(store.path(of: digest), "short")
        let again = try store.ingest(fileAt: directory.url("a.bin"))
        #expect(again.wasNew)
        #expect(store.verify(digest) == .intact(size: 14))
    }

    @Test func sweepRemovesOnlyAbandonedTemporaries() throws {
        let (_, store) = try makeStore()
        let abandoned = store.temporaryDirectory + "/ingest-1-dead.partial"
        let live = store.temporaryDirectory + "/ingest-2-live.partial"
        try writeFile(abandoned, "left by a killed process")
        try writeFile(live, "being written")
        // A separate open file description holds the lock, as a live writer's would.
        let holder = open(live, O_RDONLY)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        let later = Date().timeIntervalSince1970 + 60
        #expect(store.sweepAbandonedTemporaries(now: later) == 1)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live))
        // A fresh file (inside the grace period) is never touched, even unlocked.
        let fresh = store.temporaryDirectory + "/ingest-3-new.partial"
        try writeFile(fresh, "just created")
        #expect(store.sweepAbandonedTemporaries() == 0)
        #expect(FileManager.default.fileExists(atPath: fresh))
    }
}

@Suite struct IngestHintTests {
    @Test func aMatchingCandidateIsConfirmedByHashingWithoutCopying() throws {
        let directory = TemporaryDirectory()
        let store = BlobStore(root: directory.path)
        try store.createLayout()
        try writeFile(directory.url("a.bin"), "same bytes")
        let stored = try store.ingest(fileAt: directory.url("a.bin"))
        let confirmed = try #require(try store.ingestIfAlreadyStored(fileAt: directory.url("a.bin"), candidate: stored.digest))
        #expect(confirmed.digest == stored.digest && !confirmed.wasNew)
        try writeFile(directory.url("b.bin"), "other byte")
        #expect(try store.ingestIfAlreadyStored(fileAt: directory.url("b.bin"), candidate: stored.digest) == nil)
        let absent = Digest(rawBytes: [UInt8](repeating: 7, count: 32))
        #expect(try store.ingestIfAlreadyStored(fileAt: directory.url("a.bin"), candidate: absent) == nil)
        #expect(try store.listBlobs().blobs == [stored.digest])
    }
}

@Suite struct PipelinedCopyTests {
    /// A failing write on the writer thread surfaces as the copy's error, after every chunk.
    @Test func aWriteFailureOnTheWriterThreadIsReported() throws {
        let directory = TemporaryDirectory()
        var random = SeededGenerator(seed: 3)
        try writeFile(directory.url("source.bin"), random.bytes(10 << 20))
        try writeFile(directory.url("target.bin"), "")
        let source = try FileDescriptor.openForReading(directory.url("source.bin"))
        let readOnlyTarget = try FileDescriptor.openForReading(directory.url("target.bin"))
        #expect(throws: ContentStoreError.io(operation: "write", path: directory.url("target.bin"), errno: EBADF)) {
            try PipelinedCopy.run(from: source, to: readOnlyTarget, chunkSize: 1 << 20, progress: nil)
        }
    }

    @Test func copiesAndHashesInOrderAcrossManyChunks() throws {
        let directory = TemporaryDirectory()
        var random = SeededGenerator(seed: 4)
        let bytes = random.bytes((7 << 20) + 12_345)
        try writeFile(directory.url("source.bin"), bytes)
        let source = try FileDescriptor.openForReading(directory.url("source.bin"))
        let target = try FileDescriptor.createExclusive(directory.url("copy.bin"))
        let (digest, size) = try PipelinedCopy.run(from: source, to: target, chunkSize: 1 << 20, progress: nil)
        try target.close()
        #expect(size == Int64(bytes.count))
        #expect(try readFile(directory.url("copy.bin")) == bytes)
        let reference = try run("/usr/bin/sha256sum", [directory.url("source.bin")], in: "/")
        #expect(digest.hex == String(reference.stdout.prefix(64)))
    }
}
