import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import RegistryKit
import RegistryModel
import RegistryStorage

/// `PUT /v1/blobs/sha256:…`: a blob a client uploads before it registers, re-hashed on the way in
/// and refused unless it is the digest named; memory stays bounded. Into a store that takes
/// pushed blobs (OCI) the body goes on as it arrives, as a chunked upload committed only once
/// the digest is right; into a blob folder it is spooled to a locked file first, then stored.
/// A registration refers to its blobs only once they are stored, so a server killed mid-upload
/// leaves no version: an OCI upload session never committed, or a spool file, which the next
/// server start removes.
extension RegistryServer {
    public static let blobPrefix = "/v1/blobs/"
    /// The upload endpoint as it is listed and labelled.
    static let blobPath = "/v1/blobs/{digest}"

    /// Spooled bytes are written to disk in pieces of this size (the body arrives in small chunks).
    static let spoolPiece = 1 << 20

    /// The upload endpoint as `authorize` sees it (the body is handled here, not by a handler).
    static let uploadRoute = ServerRoute(.put, blobPath, role: .writer) { _ throws(RegistryError) in
        throw RegistryError(.internal, "internal error: uploads are answered by RegistryServer.upload")
    }

    func upload(_ request: Request, digest text: String, authorization: String?) async -> Answer {
        let principal: String
        switch await admit(Self.uploadRoute, items: [], authorization: authorization) {
        case .admitted(let name): principal = name
        case .refused(let answer): return answer
        }
        func refuse(_ message: String, hint: String, status: HTTPResponse.Status = .badRequest) -> Answer {
            Answer(status: status, body: errorDocument(RegistryError(.usage, message, hint: hint)), principal: principal)
        }
        guard let digest = Digest(parsing: text) else {
            return refuse("'\(text)' is not a blob digest", hint: "PUT /v1/blobs/sha256:<64 hex digits>")
        }
        guard let length = request.headers[.contentLength].flatMap({ Int64($0) }), length >= 0 else {
            return refuse("an upload needs its Content-Length", hint: "send the file's size in Content-Length", status: .lengthRequired)
        }
        switch await work({ registry throws(RegistryError) in try registry.beginRelayedUpload(expected: digest, length: length) }) {
        case .success(let relay?):
            return await self.relay(request, into: relay, length: length, principal: principal)
        case .success(nil):
            break
        case .failure(let error):
            return Answer(status: Self.status(of: error), body: errorDocument(error), principal: principal)
        }
        let spooled: SpooledBody
        do {
            spooled = try await spoolBody(request, length: length)
        } catch {
            return error.answer(self, principal: principal, hint: "upload it again ('mreg register' asks which blobs are missing)")
        }
        let spool = spooled.file
        defer { spool.discard() }
        let received = spooled.received
        guard received == length else {
            return refuse("the body has \(received) bytes, not the \(length) of its Content-Length", hint: "upload the file again")
        }
        metrics.received(bytes: received)
        let stored = await work { registry throws(RegistryError) in try registry.storeUpload(fileAt: spool.path, expected: digest) }
        return stored.answer(self, principal: principal)
    }

    /// Sends the body on into the blob store as it arrives (a store that takes pushed blobs), in
    /// pieces written off the event loops; the blob is stored only when the whole body came and
    /// hashes to the digest named, and the push is cancelled otherwise.
    private func relay(_ request: Request, into relay: RelayedUpload, length: Int64, principal: String) async -> Answer {
        let received: Int64
        do {
            received = try await receive(request, length: length) { piece throws(RegistryError) in
                try piece.withReadableBytes { (bytes) throws(RegistryError) in try relay.write(bytes) }
            }.received
        } catch {
            await cancel(relay)
            return error.answer(self, principal: principal, hint: "upload it again ('mreg register' asks which blobs are missing)")
        }
        guard received == length else {
            await cancel(relay)
            let message = "the body has \(received) bytes, not the \(length) of its Content-Length"
            return Answer(status: .badRequest, body: errorDocument(RegistryError(.usage, message, hint: "upload the file again")), principal: principal)
        }
        metrics.received(bytes: received)
        let stored: Result<IngestResult, RegistryError>
        do {
            stored = try await spoolWriters.runIfActive { () -> Result<IngestResult, RegistryError> in
                do throws(RegistryError) { return .success(try relay.finish()) } catch { return .failure(error) }
            }
        } catch {
            stored = .failure(RegistryError(.unavailable, "the server is shutting down", hint: "upload it again once it is back"))
        }
        return stored.answer(self, principal: principal)
    }

    /// Cancels a relay off the event loops (it tells the blob store, and waits for its answer).
    private func cancel(_ relay: RelayedUpload) async {
        _ = try? await spoolWriters.runIfActive { relay.cancel() }
    }

    /// Whether a request's token may call a route, checked before its body is read (a refused
    /// client's upload is never read): the token's name, or the answer refusing it.
    enum Admission {
        case admitted(String)
        case refused(Answer)
    }

    func admit(_ route: ServerRoute, items: [(String, String)], authorization: String?) async -> Admission {
        switch await work({ registry throws(RegistryError) in try Self.authorize(route, items: items, authorization: authorization, registry: registry).name }) {
        case .success(let name): .admitted(name)
        case .failure(let error): .refused(Answer(status: Self.status(of: error), body: errorDocument(error)))
        }
    }

    /// A body read as it arrived: its first bytes (a JSON document), the rest in a spool file
    /// (the caller discards it), and how many bytes arrived.
    struct SpooledBody {
        let document: Data
        let file: SpoolFile
        let received: Int64
    }

    /// Why a body could not be taken: no spool file, where its pieces went refused one, or the
    /// body broke off after `received` bytes.
    enum SpoolFailure: Error {
        case refused(RegistryError)
        case broken(received: Int64, length: Int64)

        func answer(_ server: RegistryServer, principal: String, hint: String) -> Answer {
            switch self {
            case .refused(let error):
                Answer(status: RegistryServer.status(of: error), body: server.errorDocument(error), principal: principal)
            case .broken(let received, let length):
                Answer(
                    status: .badRequest, body: server.errorDocument(RegistryError(.usage, "the body broke off after \(received) of \(length) bytes", hint: hint)),
                    principal: principal)
            }
        }
    }

    /// Reads a request's body into a new spool file as it arrives: its first `documentLength`
    /// bytes are returned (a JSON document), the rest is written to the file.
    func spoolBody(_ request: Request, length: Int64, documentLength: Int = 0) async throws(SpoolFailure) -> SpooledBody {
        let spool: SpoolFile
        do {
            spool = try SpoolFile(in: uploads)
        } catch {
            throw .refused(error)
        }
        do {
            let (document, received) = try await receive(request, length: length, documentLength: documentLength) { piece throws(RegistryError) in
                try spool.write(piece)
            }
            return SpooledBody(document: document, file: spool, received: received)
        } catch {
            spool.discard()
            throw error
        }
    }

    /// Reads a request's body as it arrives: its first `documentLength` bytes are returned (a
    /// JSON document), the rest goes to `take` in pieces of about `spoolPiece` bytes, off the
    /// event loops and one at a time. Stops reading past `length` bytes; returns how many came.
    /// The bytes arriving are counted in the metrics until the body ends.
    func receive(
        _ request: Request, length: Int64, documentLength: Int = 0, take: @escaping @Sendable (ByteBuffer) throws(RegistryError) -> Void
    ) async throws(SpoolFailure) -> (document: Data, received: Int64) {
        var received: Int64 = 0
        var accepted: Int64 = 0
        defer { metrics.arrived(bytes: accepted) }
        var document = Data()
        func hand(_ piece: ByteBuffer) async throws(SpoolFailure) {
            let failure: RegistryError?
            do {
                failure = try await spoolWriters.runIfActive { () -> RegistryError? in
                    do throws(RegistryError) { try take(piece) } catch { return error }
                    return nil
                }
            } catch {
                throw .refused(RegistryError(.unavailable, "the server is shutting down", hint: "send it again once it is back"))
            }
            if let failure { throw .refused(failure) }
        }
        var pending = ByteBuffer()
        do {
            for try await chunk in request.body {
                received += Int64(chunk.readableBytes)
                guard received <= length else { break }
                accepted = received
                metrics.arriving(bytes: chunk.readableBytes)
                var chunk = chunk
                if document.count < documentLength, let head = chunk.readSlice(length: min(chunk.readableBytes, documentLength - document.count)) {
                    document.append(contentsOf: head.readableBytesView)
                }
                pending.writeBuffer(&chunk)
                if pending.readableBytes >= Self.spoolPiece {
                    try await hand(pending)
                    pending.clear()
                }
            }
        } catch let failure as SpoolFailure {
            throw failure
        } catch {
            throw .broken(received: received, length: length)
        }
        if received <= length, pending.readableBytes > 0 { try await hand(pending) }
        return (document, received)
    }

    /// Removes spool files whose writer is gone (a server killed mid-upload or mid-download); a
    /// live server's uploads are locked and stay, and so do the downloads of a live process.
    static func sweepSpool(_ directory: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names where name.hasSuffix(Registry.downloadSuffix) || name.hasSuffix(NamedAttachment.suffix) {
            // PID-RANDOM.download: a blob copied for a client, unlinked once opened; PID-RANDOM.attach:
            // a folder holding one a command reads.
            guard let pid = name.split(separator: "-").first.flatMap({ pid_t($0) }), kill(pid, 0) == -1, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: directory + "/" + name)) != nil { removed += 1 }
        }
        for name in names where name.hasSuffix(SpoolFile.suffix) {
            let path = directory + "/" + name
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}

extension Result where Success == IngestResult, Failure == RegistryError {
    /// An upload's answer: 201 with the blob stored anew, 200 when it was already stored.
    func answer(_ server: RegistryServer, principal: String) -> RegistryServer.Answer {
        switch self {
        case .success(let result):
            let document = "{\n  \"digest\" : \"\(result.digest)\",\n  \"new\" : \(result.wasNew),\n  \"size\" : \(result.size)\n}\n"
            return RegistryServer.Answer(status: result.wasNew ? .created : .ok, body: Data(document.utf8), principal: principal)
        case .failure(let error):
            return RegistryServer.Answer(status: RegistryServer.status(of: error), body: server.errorDocument(error), principal: principal)
        }
    }
}

/// A file an upload is spooled to, locked for as long as its server lives.
final class SpoolFile: Sendable {
    let path: String
    private let descriptor: Int32

    static let suffix = ".upload"

    init(in directory: String) throws(RegistryError) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = "\(directory)/\(getpid())-\(UInt64.random(in: .min ... .max))\(Self.suffix)"
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RegistryError(.io, "cannot create the upload spool file '\(path)': \(String(cString: strerror(errno)))", hint: "check the disk and the registry folder's permissions")
        }
        _ = flock(descriptor, LOCK_EX)
    }

    /// Writes all of `buffer` (on a spool-writer thread).
    func write(_ buffer: ByteBuffer) throws(RegistryError) {
        try buffer.withReadableBytes { (bytes) throws(RegistryError) in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw RegistryError(.io, "cannot write the upload spool file '\(path)': \(String(cString: strerror(errno)))", hint: "check the disk")
                }
                offset += written
            }
        }
    }

    func discard() {
        unlink(path)
        close(descriptor)
    }
}

extension ByteBuffer {
    /// `withUnsafeReadableBytes` for a body that throws a `RegistryError` (its `rethrows` would
    /// widen the error to `any Error`).
    func withReadableBytes(_ body: (UnsafeRawBufferPointer) throws(RegistryError) -> Void) throws(RegistryError) {
        let failure: RegistryError? = withUnsafeReadableBytes { bytes in
            do throws(RegistryError) {
                try body(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}
