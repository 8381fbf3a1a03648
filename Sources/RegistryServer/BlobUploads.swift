import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import RegistryKit
import RegistryModel

/// `PUT /v1/blobs/sha256:…`: a blob a client uploads before it registers. The body is spooled
/// to a locked file as it arrives (memory stays bounded), then stored through the registry's
/// blob store, which re-hashes it and refuses it unless it is the digest named. A registration
/// refers to its blobs only once they are stored, so a server killed mid-upload leaves a spool
/// file, which the next server start removes, and no version.
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
        switch stored {
        case .success(let result):
            let document = "{\n  \"digest\" : \"\(result.digest)\",\n  \"new\" : \(result.wasNew),\n  \"size\" : \(result.size)\n}\n"
            return Answer(status: result.wasNew ? .created : .ok, body: Data(document.utf8), principal: principal)
        case .failure(let error):
            return Answer(status: Self.status(of: error), body: errorDocument(error), principal: principal)
        }
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

    /// Why a body could not be spooled: no spool file, or the body broke off after `received` bytes.
    enum SpoolFailure: Error {
        case noSpool(RegistryError)
        case broken(received: Int64, length: Int64)

        func answer(_ server: RegistryServer, principal: String, hint: String) -> Answer {
            switch self {
            case .noSpool(let error):
                Answer(status: .internalServerError, body: server.errorDocument(error), principal: principal)
            case .broken(let received, let length):
                Answer(
                    status: .badRequest, body: server.errorDocument(RegistryError(.usage, "the body broke off after \(received) of \(length) bytes", hint: hint)),
                    principal: principal)
            }
        }
    }

    /// Reads a request's body as it arrives into a new spool file: its first `documentLength`
    /// bytes are returned (a JSON document), the rest is written to the file in pieces, off the
    /// event loops. Stops reading past `length` bytes.
    func spoolBody(_ request: Request, length: Int64, documentLength: Int = 0) async throws(SpoolFailure) -> SpooledBody {
        let spool: SpoolFile
        do {
            spool = try SpoolFile(in: uploads)
        } catch {
            throw .noSpool(error)
        }
        var received: Int64 = 0
        var document = Data()
        do {
            var pending = ByteBuffer()
            for try await chunk in request.body {
                received += Int64(chunk.readableBytes)
                guard received <= length else { break }
                var chunk = chunk
                if document.count < documentLength, let head = chunk.readSlice(length: min(chunk.readableBytes, documentLength - document.count)) {
                    document.append(contentsOf: head.readableBytesView)
                }
                pending.writeBuffer(&chunk)
                if pending.readableBytes >= Self.spoolPiece {
                    try await spoolWriters.runIfActive { [pending] in try spool.write(pending) }
                    pending.clear()
                }
            }
            if pending.readableBytes > 0 { try await spoolWriters.runIfActive { [pending] in try spool.write(pending) } }
        } catch {
            spool.discard()
            throw .broken(received: received, length: length)
        }
        return SpooledBody(document: document, file: spool, received: received)
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
    func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
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
