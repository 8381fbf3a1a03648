import ContentHashing
import ContentStore
import Foundation
import NIOConcurrencyHelpers
import RegistryModel
import RegistryStorage

/// A blob store in an OCI distribution registry (Docker Distribution, Harbor, Zot, GHCR, ECR…).
///
/// Every blob lives in the repository `PREFIX/mreg-blobs`, and each is held there by a small
/// image manifest tagged `sha256-<hex>` (artifact type `application/vnd.mreg.blob.v1`, one layer:
/// the blob). The holder is what keeps the registry's own garbage collection from deleting
/// blobs no image references, and its tags are the listing that `gc` and `verify` need, since
/// the distribution API cannot list blobs. A blob counts as stored once its holder exists: the
/// holder is written after the blob is confirmed, so a crash leaves at worst an unheld upload,
/// which the registry's own garbage collection removes.
public final class OCIBlobStore: BlobStoring, VersionPublishing {
    public let address: OCIAddress
    let client: OCIClient
    /// Seconds an unreferenced blob is kept before `gc` may delete it (registrations in flight on
    /// other machines have stored blobs that no committed version references yet).
    let collectionGrace: Double
    let clock: @Sendable () -> Date
    /// Bytes per PATCH of a chunked upload.
    let uploadChunkSize: Int64
    /// Whether the empty config blob the holders name is known to be in the blob repository.
    private let emptyConfigStored = NIOLockedValueBox(false)

    public var location: String { address.description }

    public static let engine = OCIClient.engine
    static let blobArtifactType = "application/vnd.mreg.blob.v1"
    static let imageManifestType = "application/vnd.oci.image.manifest.v1+json"
    static let createdAnnotation = "org.opencontainers.image.created"
    /// Chunked uploads send at most this much per PATCH: few requests, and a proxy's body limit
    /// is rarely below it.
    public static let defaultUploadChunkSize: Int64 = 64 << 20
    /// Bytes per read of a file being uploaded: each is copied once more into the connection's
    /// buffers, so memory is about four of them whatever the file size (measured: 1 MiB reads
    /// upload as fast as 4 MiB ones on loopback).
    static let uploadReadSize = 1 << 20

    public init(
        address: OCIAddress, credentials: OCICredentials?, collectionGrace: Double = 3600, uploadChunkSize: Int64 = defaultUploadChunkSize,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.address = address
        self.client = OCIClient(address: address, credentials: credentials)
        self.collectionGrace = collectionGrace
        self.uploadChunkSize = uploadChunkSize
        self.clock = clock
    }

    /// Checks that the registry answers and accepts the credentials (`init` and `open` call it,
    /// so a wrong address fails before anything is recorded).
    public func checkReachable() throws(ContentStoreError) {
        let response = try client.send(.GET, "/v2/")
        guard response.status == 200 else { throw client.unavailable("its API root /v2/ answered \(client.describe(response))") }
    }

    static func holderTag(for digest: Digest) -> String { "sha256-" + digest.hex }

    var blobRepository: String { address.blobRepository }

    // MARK: Ingest

    public func ingest(fileAt path: String, expected: Digest?, progress: (any ProgressObserver)?) throws(ContentStoreError) -> IngestResult {
        if let expected, let held = try holder(of: expected) {
            return IngestResult(digest: expected, size: held.size, wasNew: false)
        }
        let length = try FileHashing.size(ofFileAt: path)
        return try uploadedAndHeld { () throws(ContentStoreError) in
            let (digest, size) = try upload(fileAt: path, length: length, to: blobRepository, expected: expected, progress: progress)
            guard size == length else { throw .sizeMismatch(expected: length, actual: size, path: path) }
            return (digest, size)
        }
    }

    /// Uploads a blob and holds it. The registry may already have had its bytes, held by nothing
    /// that mreg references, and gc may remove them between the upload and the holder: the
    /// holder is then refused as naming an unknown blob, and the bytes are uploaded again.
    private func uploadedAndHeld(_ upload: () throws(ContentStoreError) -> (Digest, Int64)) throws(ContentStoreError) -> IngestResult {
        var attempt = 1
        while true {
            let (digest, size) = try upload()
            do {
                return IngestResult(digest: digest, size: size, wasNew: try hold(digest, size: size))
            } catch .refused(let engine, let address, let problem) {
                guard problem.contains("MANIFEST_BLOB_UNKNOWN"), attempt < 3 else { throw .refused(engine: engine, address: address, problem: problem) }
                attempt += 1
            }
        }
    }

    public func ingest(bytes: [UInt8]) throws(ContentStoreError) -> IngestResult {
        let digest = StreamingSHA256.hash(bytes)
        let size = Int64(bytes.count)
        if try holder(of: digest) != nil { return IngestResult(digest: digest, size: size, wasNew: false) }
        return try uploadedAndHeld { () throws(ContentStoreError) in
            try uploadMonolithic(bytes, digest: digest, to: blobRepository)
            return (digest, size)
        }
    }

    public func ingestIfAlreadyStored(fileAt path: String, candidate: Digest, progress: (any ProgressObserver)?) throws(ContentStoreError) -> IngestResult? {
        guard let held = try holder(of: candidate) else { return nil }
        let (digest, size) = try FileHashing.hash(fileAt: path, progress: progress)
        guard digest == candidate, size == held.size else { return nil }
        return IngestResult(digest: digest, size: size, wasNew: false)
    }

    /// Streams a file into `repository` with a chunked upload, hashing what it sends; the upload
    /// is committed under the digest the bytes turned out to have. When they are not `expected`,
    /// the upload is cancelled instead, and nothing is stored.
    func upload(
        fileAt path: String, length: Int64, to repository: String, expected: Digest? = nil, progress: (any ProgressObserver)?
    ) throws(ContentStoreError) -> (Digest, Int64) {
        var location = try startUpload(in: repository)
        let sender = ChunkedUploadSender(client: client, location: location, source: path, length: length, chunkSize: uploadChunkSize)
        let (digest, size) = try FileHashing.hash(fileAt: path, chunkSize: Self.uploadReadSize, progress: progress) { (chunk) throws(ContentStoreError) in
            try sender.send(chunk)
        }
        location = try sender.finish()
        try complete(uploadAt: location, digest: digest, expected: expected, source: path)
        return (digest, size)
    }

    /// Commits a finished upload under the digest its bytes have, or cancels it (nothing stored)
    /// when that is not the one `expected`.
    func complete(uploadAt location: String, digest: Digest, expected: Digest?, source: String) throws(ContentStoreError) {
        if let expected, expected != digest {
            cancelUpload(at: location)
            throw .digestMismatch(expected: expected, actual: digest, path: source)
        }
        try commitUpload(at: location, digest: digest)
    }

    /// Best effort: a session left open is expired by the registry.
    func cancelUpload(at location: String) {
        _ = try? client.send(.DELETE, location)
    }

    /// Uploads bytes held in memory in one request (POST for a session, PUT with the body).
    func uploadMonolithic(_ bytes: [UInt8], digest: Digest, to repository: String) throws(ContentStoreError) {
        let location = try startUpload(in: repository)
        let response = try client.send(
            .PUT, Self.appending(digest: digest, to: location), headers: [("Content-Type", "application/octet-stream")], body: bytes)
        guard response.status == 201 else { throw client.failure("storing blob \(digest)", response) }
    }

    /// Opens an upload session (which also settles authentication for the repository's push scope).
    func startUpload(in repository: String) throws(ContentStoreError) -> String {
        let response = try client.send(.POST, "/v2/\(repository)/blobs/uploads/", headers: [("Content-Length", "0")])
        guard response.status == 202, let location = response.header("Location") else {
            throw client.failure("starting an upload to \(repository)", response)
        }
        return location
    }

    private func commitUpload(at location: String, digest: Digest) throws(ContentStoreError) {
        let response = try client.send(.PUT, Self.appending(digest: digest, to: location), headers: [("Content-Length", "0")])
        guard response.status == 201 else { throw client.failure("committing blob \(digest)", response) }
    }

    static func appending(digest: Digest, to location: String) -> String {
        location + (location.contains("?") ? "&" : "?") + "digest=" + digest.description
    }

    // MARK: Holders

    /// What the blob's holder manifest says (its one layer's size, when it was written), or nil
    /// when there is none. A held blob is stored: a registry refuses a manifest whose layers it
    /// lacks. One request answers both "is it stored" and "how big is it".
    func holder(of digest: Digest) throws(ContentStoreError) -> (size: Int64, since: Date?)? {
        let response = try client.send(.GET, "/v2/\(blobRepository)/manifests/\(Self.holderTag(for: digest))", headers: [("Accept", Self.imageManifestType)])
        switch response.status {
        case 200:
            guard let held = OCIImageManifest.Held(response.body) else { throw client.refused("the holder of blob \(digest) is not a manifest mreg wrote") }
            return (held.size, held.annotations[Self.createdAnnotation].flatMap(Timestamp.parse))
        case 404: return nil
        default: throw client.failure("looking up blob \(digest)", response)
        }
    }

    /// Writes the blob's holder manifest unless it exists; returns whether it was written.
    func hold(_ digest: Digest, size: Int64) throws(ContentStoreError) -> Bool {
        if try holder(of: digest) != nil { return false }
        try writeHolder(digest, size: size)
        return true
    }

    /// Writes the blob's holder manifest (the caller knows there is none yet).
    private func writeHolder(_ digest: Digest, size: Int64) throws(ContentStoreError) {
        try storeEmptyConfig()
        let manifest = OCIImageManifest(
            artifactType: Self.blobArtifactType, config: .empty,
            layers: [OCIDescriptor(mediaType: "application/octet-stream", digest: digest, size: size)],
            annotations: [Self.createdAnnotation: Timestamp.format(clock())])
        try putManifest(manifest, repository: blobRepository, reference: Self.holderTag(for: digest))
    }

    private func storeEmptyConfig() throws(ContentStoreError) {
        if emptyConfigStored.withLockedValue({ $0 }) { return }
        let empty = OCIDescriptor.empty
        let head = try client.send(.HEAD, "/v2/\(blobRepository)/blobs/\(empty.digest)")
        if head.status != 200 { try uploadMonolithic(OCIDescriptor.emptyBytes, digest: empty.digest, to: blobRepository) }
        emptyConfigStored.withLockedValue { $0 = true }
    }

    /// Stores a manifest under a tag. Distribution's filesystem driver answers DIGEST_INVALID when
    /// several clients write the same manifest at once; the write is then repeated, and is done
    /// as soon as the tag names these very bytes.
    func putManifest(_ manifest: OCIImageManifest, repository: String, reference: String) throws(ContentStoreError) {
        let bytes = manifest.encoded()
        let path = "/v2/\(repository)/manifests/\(reference)"
        var response = try client.send(.PUT, path, headers: [("Content-Type", Self.imageManifestType)], body: bytes)
        for pause in OCIClient.retryPauses where response.status == 400 && String(decoding: response.body, as: UTF8.self).contains("DIGEST_INVALID") {
            usleep(pause)
            let current = try client.send(.HEAD, path, headers: [("Accept", Self.imageManifestType)])
            if current.status == 200, current.header("Docker-Content-Digest") == StreamingSHA256.hash(bytes).description { return }
            response = try client.send(.PUT, path, headers: [("Content-Type", Self.imageManifestType)], body: bytes)
        }
        guard response.status == 201 else { throw client.failure("storing manifest \(repository):\(reference)", response) }
    }

    // MARK: Reading

    public func readVerified(_ digest: Digest) throws(ContentStoreError) -> [UInt8] {
        let collected = NIOLockedValueBox([UInt8]())
        let (response, actual, _) = try downloadHashed(digest) { chunk in collected.withLockedValue { $0 += chunk } }
        try expectBlob(response, digest)
        guard actual == digest else { throw .corruptBlob(digest, actual: actual, movedTo: nil) }
        return collected.withLockedValue { $0 }
    }

    /// Downloads a blob, hashing it as it arrives and handing each chunk to `consume`; returns the
    /// response with the digest and size of what came (an error answer's body is not hashed).
    private func downloadHashed(
        _ digest: Digest, consume: @escaping @Sendable (UnsafeRawBufferPointer) -> Void
    ) throws(ContentStoreError) -> (OCIClient.Response, Digest, Int64) {
        let state = NIOLockedValueBox((hasher: StreamingSHA256(), size: Int64(0)))
        let response = try client.download("/v2/\(blobRepository)/blobs/\(digest)") { chunk in
            state.withLockedValue {
                $0.hasher.update(chunk)
                $0.size += Int64(chunk.count)
            }
            consume(chunk)
        }
        let (hasher, size) = state.withLockedValue { $0 }
        return (response, hasher.finalize(), size)
    }

    public func copyVerified(_ digest: Digest, to destination: String, executable: Bool, progress: (any ProgressObserver)?) throws(ContentStoreError) {
        let writer = try VerifiedFileWriter(creating: destination)
        let response = try client.download("/v2/\(blobRepository)/blobs/\(digest)") { (chunk) throws(ContentStoreError) in
            try writer.write(chunk)
            progress?.advance(by: chunk.count)
        }
        do throws(ContentStoreError) {
            try expectBlob(response, digest)
        } catch {
            writer.discard()
            throw error
        }
        try writer.finish(expecting: digest, executable: executable)
    }

    public func verify(_ digest: Digest, progress: (any ProgressObserver)?) -> BlobStatus {
        do {
            let (response, actual, size) = try downloadHashed(digest) { chunk in progress?.advance(by: chunk.count) }
            if response.status == 404 { return .missing }
            try expectBlob(response, digest)
            return actual == digest ? .intact(size: size) : .corrupt(actual: actual, movedTo: nil)
        } catch {
            if case .unavailable = error { return .unavailable(error) }
            return .unreadable(error.description)
        }
    }

    private func expectBlob(_ response: OCIClient.Response, _ digest: Digest) throws(ContentStoreError) {
        switch response.status {
        case 200: return
        case 404: throw .missingBlob(digest)
        default: throw client.failure("reading blob \(digest)", response)
        }
    }

    public func storedSize(of digest: Digest) -> Int64? {
        guard let response = try? client.send(.HEAD, "/v2/\(blobRepository)/blobs/\(digest)"), response.status == 200 else { return nil }
        return response.header("Content-Length").flatMap { Int64($0) }
    }

    // MARK: Listing and removal

    /// The tag list read a page at a time (`n`, then the `Link` header's next page): the blobs
    /// whose holders are tagged in the blob repository; other tags are stray names.
    public func forEachBlobPage(size: Int, _ visit: (_ blobs: [Digest], _ strayNames: [String]) -> Bool) throws(ContentStoreError) {
        try forEachTagPage(size: size) { tags in
            var blobs = [Digest]()
            var stray = [String]()
            for tag in tags {
                if let digest = Self.blob(tagged: tag) { blobs.append(digest) } else { stray.append(tag) }
            }
            return visit(blobs, stray)
        }
    }

    /// The blob a holder's tag (`sha256-<hex>`) names; nil for any other tag.
    static func blob(tagged tag: String) -> Digest? {
        tag.hasPrefix("sha256-") ? Digest(hex: String(tag.dropFirst(7))) : nil
    }

    /// Hands the blob repository's tags to `visit` a page at a time until it returns false.
    private func forEachTagPage(size: Int, _ visit: ([String]) -> Bool) throws(ContentStoreError) {
        var next: String? = "/v2/\(blobRepository)/tags/list?n=\(size)"
        while let page = next {
            let response = try client.send(.GET, page)
            if response.status == 404 { break }
            guard response.status == 200 else { throw client.failure("listing the tags of \(blobRepository)", response) }
            struct Tags: Decodable { let tags: [String]? }
            guard let tags = try? JSONDecoder().decode(Tags.self, from: Data(response.body)) else {
                throw client.refused("its tag list of \(blobRepository) is not JSON")
            }
            guard visit(tags.tags ?? []) else { return }
            next = response.header("Link").flatMap(Self.nextPage)
        }
    }

    /// The target of a `Link: <…>; rel="next"` header.
    static func nextPage(_ link: String) -> String? {
        guard link.contains("rel=\"next\""), let open = link.firstIndex(of: "<"), let close = link.firstIndex(of: ">"), open < close else { return nil }
        return String(link[link.index(after: open)..<close])
    }

    public func isCollectable(_ digest: Digest) throws(ContentStoreError) -> Bool {
        guard let since = try holder(of: digest)?.since else { return true }
        return clock().timeIntervalSince(since) >= collectionGrace
    }

    /// Deletes the holder, then the blob; `.refused` when the registry has deletion disabled.
    public func remove(_ digest: Digest) throws(ContentStoreError) {
        let head = try client.send(.HEAD, "/v2/\(blobRepository)/manifests/\(Self.holderTag(for: digest))", headers: [("Accept", Self.imageManifestType)])
        if head.status == 200, let holder = head.header("Docker-Content-Digest") {
            try delete("/v2/\(blobRepository)/manifests/\(holder)", what: "the holder of blob \(digest)")
        }
        try delete("/v2/\(blobRepository)/blobs/\(digest)", what: "blob \(digest)")
    }

    private func delete(_ path: String, what: String) throws(ContentStoreError) {
        let response = try client.send(.DELETE, path)
        switch response.status {
        case 200, 202, 404: return
        case 405: throw client.refused("it does not allow deleting \(what) (deletion is disabled in the registry's configuration)")
        default: throw client.failure("deleting \(what)", response)
        }
    }
}
