import Foundation
import RegistryClient
import RegistryDocuments
import RegistryKit
import RegistryModel
import RegistryServer

/// `mreg register` through `mreg serve`: the client reads and hashes the files, git and datasets
/// where they are; asks which blobs the server lacks; uploads only those (streamed; the server
/// re-hashes each); then sends the registration, which the server records once every blob is
/// stored. An interrupted upload resumes by asking again: only what is still missing goes.
extension RegisterCommand {
    /// `POST /v1/blobs/missing`: which of the blobs named are not stored.
    static let missingBlobsRoute = ServerRoute(.post, "/v1/blobs/missing", role: .writer, takesBody: true) { call throws(RegistryError) in
        // A registration begins here: a malformed config.toml refuses it before any upload, as
        // the folder's register refuses it before storing a blob.
        _ = try call.registry.config()
        let asked = try decodeBody(BlobList.self, from: call.body, what: "a list of blobs ({\"blobs\": [{\"digest\", \"size\"}]})")
        // So is a parent that does not resolve or is deleted.
        if let parent = asked.parent { try call.registry.checkParent(parent) }
        // Read before looking: the commit is refused if gc collects one of them after this.
        let fence = try call.registry.collectionFence()
        let missing = try call.registry.missingBlobs(asked.blobs.map { ($0.digest, $0.size) })
        return RouteAnswer(stdout: try ServeCommand.encoded(MissingBlobs(missing: missing, fence: fence)), stderr: Data(), failure: nil)
    }

    /// `POST /v1/register`: records a prepared registration whose blobs are stored, as the token.
    static let registerRoute = ServerRoute(.post, "/v1/register", role: .writer, takesBody: true) { call throws(RegistryError) in
        let upload = try decodeBody(RegistrationUpload.self, from: call.body, what: "a registration (schemas/registration-upload.schema.json)")
        var registration = upload.registration
        guard call.principal.models.matches(registration.model) else {
            throw RegistryError(
                .forbidden, "token '\(call.principal.name)' may act on models \(call.principal.models), not on '\(registration.model)'",
                hint: "ask an admin for a token granted this model")
        }
        // Who registered is the token; the CI job it names is kept as the client reported it.
        let client = registration.registrant
        registration.registrant = Registrant(
            user: call.actor.user, host: call.actor.host, ciProvider: client.ciProvider, ciJobID: client.ciJobID, ciJobURL: client.ciJobURL,
            ciActor: client.ciActor)
        // A malformed config.toml is refused before anything is recorded, as on the folder.
        let settings = try call.registry.config()
        var recorded: VersionRecord?
        var answer = try RouteAnswer.printed(call.form) { (global) throws(RegistryError) in
            var outcome = try call.registry.register(prepared: registration, bytesUploaded: upload.bytesUploaded, fence: upload.fence)
            outcome.warnings = upload.warnings + outcome.warnings
            recorded = outcome.version
            report(outcome, global: global)
        }
        if settings.recordGitNotes, let recorded, recorded.git != nil { answer.gitNote = Registry.gitNote(for: recorded) }
        return answer
    }

    /// Runs the registration through the server; returns the exit code to end with.
    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        let request = try request(invocation)
        let (registration, uploads, warnings) = try Registry.prepareForUpload(request, progress: invocation.progress(global))
        let form = AnswerForm(json: global.json, quiet: global.quiet, cli: true)
        var bytesUploaded: Int64 = 0
        var refused: ServerConnection.Response?
        // Tests hold the first commit back until a file exists, to collect an uploaded blob meanwhile.
        let gate = invocation.environment["MREG_TEST_COMMIT_AFTER"]
        // A blob uploaded but collected by `gc` before the commit makes the commit a 409: the
        // server is asked again what it lacks. When it lacks nothing, the 409 was another conflict.
        for attempt in 1...3 {
            let sent = try connection.uploadMissing(uploads, parent: registration.parent)
            let fence = sent.fence
            if let refused, sent.missing == 0 { return try ServerClient.print(refused, connection: connection) }
            bytesUploaded += sent.bytesStored
            if attempt == 1, let gate {
                for _ in 0..<1200 where !FileManager.default.fileExists(atPath: gate) { Thread.sleep(forTimeInterval: 0.05) }
            }
            let body = try wireBody(RegistrationUpload(registration: registration, warnings: warnings, bytesUploaded: bytesUploaded, fence: fence))
            let committed = try connection.send("POST", "/v1/register", headers: [(AnswerForm.headerName, form.header)], body: body)
            guard committed.status == 409 else {
                let envelope = try ServerClient.printEnvelope(committed, connection: connection)
                // The registry keeps git notes: the commit is in this machine's repository.
                if envelope.exitCode == 0, let note = envelope.gitNote, let commit = registration.git?.commit,
                    let problem = Registry.appendGitNote(note, on: commit, source: request.git, currentDirectory: request.currentDirectory)
                {
                    if !global.quiet { Console.err(problem) }
                }
                return envelope.exitCode
            }
            refused = committed
            // A collection recorded but not finished keeps its blob present a moment longer:
            // asked again at once, the server would still have it and refuse it again.
            Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
        }
        throw RegistryError(.conflict, "the server kept losing this registration's blobs", hint: "check that no 'mreg gc' is running in a loop, then register again")
    }
}

extension ServerConnection {
    /// Asks the server which of these blobs it lacks (`POST /v1/blobs/missing`) and uploads
    /// those; returns how many it lacked and the bytes it stored anew.
    func uploadMissing(_ uploads: [PendingBlob], parent: String?) throws(RegistryError) -> (missing: Int, bytesStored: Int64, fence: Int64?) {
        let asked = try wireBody(BlobList(blobs: uploads.map { BlobList.Blob(digest: $0.digest, size: $0.size) }, parent: parent))
        let answer = try send("POST", "/v1/blobs/missing", body: asked)
        guard answer.status == 200, let missing = try? JSONDecoder().decode(MissingBlobs.self, from: answer.body) else {
            throw ServerClient.failure(answer, connection: self)
        }
        let wanted = Set(missing.missing)
        var stored: Int64 = 0
        for blob in uploads where wanted.contains(blob.digest) {
            let uploaded = try upload(RegistryServer.blobPrefix + blob.digest.description, file: blob.path, size: blob.size)
            guard uploaded.status == 200 || uploaded.status == 201 else { throw ServerClient.failure(uploaded, connection: self) }
            if uploaded.status == 201 { stored += blob.size }
        }
        return (wanted.count, stored, missing.fence)
    }
}

/// The blobs a client asks about.
struct BlobList: Codable {
    struct Blob: Codable {
        let digest: Digest
        let size: Int64
    }
    let blobs: [Blob]
    /// The parent the registration names, checked before anything is uploaded.
    var parent: String?
}

/// The ones the server lacks.
struct MissingBlobs: Codable {
    let missing: [Digest]
    /// Where gc's collection log stood before the server looked (see `BlobCollectionLogging`):
    /// the client sends it back with the registration.
    let fence: Int64?
}

/// What `POST /v1/register` takes: the prepared registration, and the notes the client's
/// preparation made (a dirty work tree…), which the answer prints as the CLI would.
struct RegistrationUpload: Codable {
    let registration: PreparedRegistration
    let warnings: [String]
    /// Bytes the client's uploads stored anew (the server answered 201), for the report.
    let bytesUploaded: Int64
    /// The fence the missing-blobs answer gave: the commit is refused (409, and the client asks
    /// again) when gc collected one of the registration's blobs after it.
    var fence: Int64?
}

/// A request body as the client sends it (`DocumentEncoder.wire`: numbers keep their kind).
func wireBody<T: Encodable>(_ body: T) throws(RegistryError) -> Data {
    do {
        return try DocumentEncoder.wire(body)
    } catch {
        throw RegistryError(.internal, "internal error: the request could not be encoded: \(error)")
    }
}

/// A request body as a type, or a usage error naming what was expected. Every `JSONValue` in
/// it is taken as written (`JSONValue.exactDocumentKey`).
func decodeBody<T: Decodable>(_ type: T.Type, from body: Data, what: String) throws(RegistryError) -> T {
    do {
        let decoder = JSONDecoder()
        decoder.userInfo[JSONValue.exactDocumentKey] = try JSONParser.parse(Array(body))
        return try decoder.decode(type, from: body)
    } catch {
        throw RegistryError(.usage, "the request body is not \(what)", hint: "see schemas/openapi.yaml")
    }
}
