import ContentHashing
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import RegistryKit
import RegistryModel

/// `GET /v1/blobs/sha256:…?ref=MODEL@VERSION`: one blob of a version, for `mreg export` through
/// the server. Only the version's manifest and files are served, and the token must be granted
/// its model. The body is read from disk in pieces as the client takes them (memory stays
/// bounded); a blob read in place is hashed on the way out, and a body whose bytes turn out not
/// to be the digest is cut off before its end, so the client never takes it for whole. The
/// client re-hashes everything it receives as well.
extension RegistryServer {
    /// The download endpoint as `authorize` sees it (the body is streamed here, not by a handler).
    static let downloadRoute = ServerRoute(.get, blobPath, role: .reader, modelParameter: "ref") { _ throws(RegistryError) in
        throw RegistryError(.internal, "internal error: downloads are answered by RegistryServer.download")
    }

    /// The blob endpoints (answered here rather than by a route's handler), for listings.
    public static var blobRoutes: [ServerRoute] { [downloadRoute, uploadRoute] }

    /// Pieces a download is read and sent in.
    static let downloadPiece = 1 << 20

    func download(digest text: String, items: [(String, String)], authorization: String?) async -> Answer {
        let spool = uploads
        let opened = await work { registry throws(RegistryError) -> (OpenedBlob, String) in
            let principal = try Self.authorize(Self.downloadRoute, items: items, authorization: authorization, registry: registry)
            guard let digest = Digest(parsing: text) else {
                throw RegistryError(.usage, "'\(text)' is not a blob digest", hint: "GET /v1/blobs/sha256:<64 hex digits>?ref=MODEL@VERSION")
            }
            if let other = items.first(where: { $0.0 != "ref" }) {
                throw RegistryError(.usage, "\(Self.blobPath) takes no parameter '\(other.0)'", hint: "its only parameter is ref")
            }
            let references = items.map(\.1)
            guard references.count == 1 else {
                throw RegistryError(.usage, "a download names the one version the blob is part of", hint: "add ?ref=MODEL@VERSION")
            }
            return (try registry.openBlob(digest, of: references[0], spool: spool), principal.name)
        }
        switch opened {
        case .failure(let error):
            return Answer(status: Self.status(of: error), body: errorDocument(error))
        case .success(let (blob, principal)):
            let reader = BlobReader(blob, threads: spoolWriters)
            return Answer(
                status: .ok, body: Data(), contentType: "application/octet-stream", principal: principal,
                stream: StreamedBody(length: blob.size) { writer in
                    while let piece = try await reader.next() { try await writer.write(piece) }
                })
        }
    }
}

/// A body sent in pieces after the answer's head: its length, and what writes it.
struct StreamedBody: Sendable {
    let length: Int64
    let write: @Sendable (inout any ResponseBodyWriter) async throws -> Void
}

/// Reads an opened blob piece by piece on a file thread, hashing when it must be checked.
///
/// `@unchecked Sendable`: one response reads it, one piece after another (each `next()` awaits
/// the one before), so its position and hasher are never touched by two threads at once.
final class BlobReader: @unchecked Sendable {
    private let blob: OpenedBlob
    private let threads: NIOThreadPool
    private var offset: Int64 = 0
    private var hasher = StreamingSHA256()

    init(_ blob: OpenedBlob, threads: NIOThreadPool) {
        self.blob = blob
        self.threads = threads
    }

    /// The next piece, or nil after the last one; throws when the bytes are not the digest's.
    func next() async throws -> ByteBuffer? {
        guard offset < blob.size else { return nil }
        return try await threads.runIfActive { [self] in try read() }
    }

    private func read() throws -> ByteBuffer {
        let wanted = Int(min(Int64(RegistryServer.downloadPiece), blob.size - offset))
        var buffer = ByteBufferAllocator().buffer(capacity: wanted)
        let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { bytes throws(RegistryError) in
            try blob.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<wanted]), at: offset)
        }
        guard count > 0 else { throw RegistryError(.integrity, "blob \(blob.digest) ended after \(offset) of its \(blob.size) bytes") }
        if blob.needsCheck { buffer.withUnsafeReadableBytes { hasher.update($0) } }
        offset += Int64(count)
        if offset == blob.size, blob.needsCheck {
            let actual = hasher.finalize()
            guard actual == blob.digest else {
                throw RegistryError(.integrity, "blob \(blob.digest) is corrupt: its bytes hash to \(actual)", hint: "run 'mreg verify' on the server's registry")
            }
        }
        return buffer
    }
}
