import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import RegistryKit
import RegistryModel

/// A request body that is a JSON document and then one file: `Mreg-Document-Length: N` says the
/// first N bytes are the document (what a client read on its machine, for `evaluate`), and the
/// rest is the file the command reads (its predictions). The file is spooled as it arrives (memory
/// stays bounded, whatever its size) and handed to the command by path, then removed; the token
/// is checked before any of it is read.
extension RegistryServer {
    public static let documentLengthHeader = "Mreg-Document-Length"

    func respondWithAttachment(
        _ request: Request, route: ServerRoute, items: [(String, String)], form: AnswerForm, authorization: String?, documentLength: Int
    ) async -> Answer {
        let principal: String
        switch await admit(route, items: items, authorization: authorization) {
        case .admitted(let name): principal = name
        case .refused(let answer): return answer
        }
        func refuse(_ message: String, hint: String, status: HTTPResponse.Status = .badRequest) -> Answer {
            Answer(status: status, body: errorDocument(RegistryError(.usage, message, hint: hint)), principal: principal)
        }
        guard let length = request.headers[.contentLength].flatMap({ Int64($0) }) else {
            return refuse("a body with an attached file needs its Content-Length", hint: "send the body's size in Content-Length", status: .lengthRequired)
        }
        guard documentLength >= 0, documentLength <= Self.bodyLimit, Int64(documentLength) <= length else {
            return refuse(
                "\(Self.documentLengthHeader) must be between 0 and the body's length, and at most \(Self.bodyLimit >> 20) MiB",
                hint: "send the JSON document's length in bytes", status: documentLength > Self.bodyLimit ? .contentTooLarge : .badRequest)
        }
        guard length - Int64(documentLength) <= attachmentLimit else {
            return refuse(
                "the attached file has \(length - Int64(documentLength)) bytes; this server takes files of at most \(attachmentLimit) bytes",
                hint: "send a sample of the data, or ask the server's operator to raise mreg serve --attachment-limit", status: .contentTooLarge)
        }
        let body: SpooledBody
        do {
            body = try await spoolBody(request, length: length, documentLength: documentLength)
        } catch {
            return error.answer(self, principal: principal, hint: "send it again")
        }
        let spool = body.file
        defer { spool.discard() }
        guard body.received == length else {
            return refuse("the body has \(body.received) bytes, not the \(length) of its Content-Length", hint: "send it again")
        }
        metrics.received(bytes: body.received - Int64(documentLength))
        return await respond(
            method: request.method.rawValue, path: request.uri.path, items: items, form: form, authorization: authorization, body: body.document,
            attachment: spool.path)
    }
}

/// An attached file under the name the client gave it (its extension names its format), for a
/// command that reads files by name: a link to the spool file in a folder of its own
/// (`PID-RANDOM.attach`, swept once its server is gone), removed when released.
public final class NamedAttachment: Sendable {
    public let path: String
    private let folder: String

    static let suffix = ".attach"

    public init(_ attachment: String, named name: String) throws(RegistryError) {
        guard !name.contains("/"), FileEntry.pathProblem(name) == nil else {
            throw RegistryError(.usage, "'\(name)' is not a file name", hint: "send the file's own name, without folders")
        }
        folder = "\((attachment as NSString).deletingLastPathComponent)/\(getpid())-\(UInt64.random(in: .min ... .max))\(Self.suffix)"
        path = folder + "/" + name
        guard mkdir(folder, 0o700) == 0, link(attachment, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: folder)
            throw RegistryError(.io, "cannot link the attached file as '\(path)': \(String(cString: strerror(code)))", hint: "check the disk and the registry folder's permissions")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }
}
