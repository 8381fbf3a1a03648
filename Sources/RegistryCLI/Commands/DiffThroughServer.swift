import Foundation
import RegistryClient
import RegistryDocuments
import RegistryKit
import RegistryModel
import RegistryServer

/// `mreg diff` through `mreg serve`: the registry is on the server, the code on the client's
/// machine. The client asks for the diff once to learn both versions' commits (and the work
/// trees they were registered from), walks its own repository between them as the folder's
/// diff does, and sends that walk with the request whose answer it prints.
struct DiffUpload: Codable {
    /// The commits between the versions' commits, as the client read them.
    let git: DiffDocument.Git?
    /// Why the client has no such walk (no repository here, a commit it lacks).
    let gitNote: String?
}

extension DiffCommand: ServedCommand {
    // Both references are `ref`, so the token must be granted both models. POST, since the body
    // carries the client's walk; an empty body (or `{}`) diffs without one.
    static let endpoint = Endpoint(method: .post, path: "/v1/diff", role: .reader, answers: ["diff"], arguments: ["ref"], model: "ref", body: "diff-upload")
    var parameters: [(String, String)] { [("ref", referenceA), ("ref", referenceB)] }

    /// Where the commits between the versions come from: this machine's repository on the
    /// command line; through a server, the walk its client sent, if any (`--git` is no
    /// parameter of the endpoint: the client reads the repository it names).
    func historySource(_ invocation: Invocation) throws(RegistryError) -> DiffHistorySource {
        guard let served = invocation.served else { return .read(from: invocation.absolute(gitPath ?? "."), explicit: gitPath != nil) }
        guard !served.body.isEmpty else { return .unread }
        let upload: DiffUpload
        do {
            upload = try JSONDecoder.snakeCase.decode(DiffUpload.self, from: served.body)
        } catch {
            throw RegistryError(.usage, "the request body is not the commits between the versions (schemas/diff-upload.schema.json)", hint: "see schemas/openapi.yaml")
        }
        if upload.git == nil && upload.gitNote == nil { return .unread }
        guard let git = upload.git else { return .supplied(nil, note: upload.gitNote) }
        guard let history = git.history else {
            throw RegistryError(.usage, "'\(git.relation)' is not a relation between commits", hint: "use same, ancestor, descendant, diverged (with merge_base) or unrelated")
        }
        return .supplied(history, note: nil)
    }

    /// Runs the diff through the server, with the commits read here; returns the exit code.
    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        struct Recorded: Decodable {
            struct State: Decodable {
                let commit: String
                let workTree: String?
            }
            let gitA: State?
            let gitB: State?
        }
        let endpoint = Self.endpoint
        let first = try connection.send(endpoint.method.rawValue, endpoint.path, query: parameters, body: Data())
        guard first.status == 200 else { throw ServerClient.failure(first, connection: connection) }
        guard let recorded = try? JSONDecoder.snakeCase.decode(Recorded.self, from: first.body) else {
            throw connection.unavailable("it answered \(endpoint.path) without a diff document (is it an mreg server?)")
        }
        var upload = DiffUpload(git: nil, gitNote: nil)
        if let a = recorded.gitA, let b = recorded.gitB {
            let (history, note) = Registry.commitHistory(
                from: a.commit, to: b.commit, reading: invocation.absolute(gitPath ?? "."), explicit: gitPath != nil,
                recordedWorkTrees: [b.workTree, a.workTree].compactMap { $0 })
            upload = DiffUpload(git: history.map(DiffDocument.Git.init), gitNote: note)
        }
        let document: Data
        do {
            document = try DocumentEncoder.encode(upload)
        } catch {
            throw RegistryError(.internal, "internal error: the commits could not be encoded: \(error)")
        }
        return try ServerClient.send(self, query: parameters, document: document, attaching: nil, connection: connection)
    }
}
