import Foundation
import Policy
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// A command whose client does more than send its parameters: it first reads what is on its
/// machine (files to hash and upload, a repository, a signing key, prediction files), or works
/// on what the server sends back (`export`).
protocol ClientCommand: RegistryCommand {
    /// Runs the command through the server; returns the exit code to end with.
    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32
}

extension RegisterCommand: ClientCommand {}
extension ExportCommand: ClientCommand {}
extension DatasetAddCommand: ClientCommand {}
extension KeysTrustCommand: ClientCommand {}
extension SignCommand: ClientCommand {}
extension EvaluateCommand: ClientCommand {}
extension DiffCommand: ClientCommand {}
extension CompareCommand: ClientCommand {}

/// `mreg` as a client: with `--registry https://…` (or `MREG_REGISTRY`), a served command is
/// sent to its endpoint, the server runs it on its registry as the client's token, and the
/// client prints what it printed and exits as it ended.
enum ServerClient {
    /// Runs `command` through the server; returns the exit code to end with.
    static func run(_ command: any RegistryCommand, at address: ServerAddress, invocation: Invocation) throws(RegistryError) -> Int32 {
        let token = try ServerCredentials.token(for: address, environment: invocation.environment)
        let connection = try ServerConnection(address: address, token: token, caFile: invocation.environment["MREG_CA_CERT"])
        if let client = command as? any ClientCommand { return try client.runThroughServer(connection, invocation: invocation) }
        guard let served = command as? any ServedCommand else {
            let name = type(of: command).configuration.commandName ?? "this command"
            throw RegistryError(
                .usage, "'mreg \(name)' does not go through a server: it works on the registry's folder and stores",
                hint: "run it where the registry is, with --registry PATH")
        }
        return try sendCall(served, connection: connection, invocation: invocation)
    }

    /// Sends a served command's parameters, with the file its endpoint's attachment option
    /// names (read here); returns the exit code to end with.
    static func sendCall(_ served: some ServedCommand, connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        let query = try served.parameters(for: invocation)
        let option = type(of: served).endpoint.attachment
        let file = try option.flatMap { option in query.first { $0.0 == option }?.1 }
            .map { (path) throws(RegistryError) in try Registry.tableFile(path, currentDirectory: invocation.currentDirectory, what: option ?? "input") }
        return try send(served, query: query, document: nil, attaching: file, connection: connection)
    }

    /// Sends a served command's call: its parameters, the document it read here (if any), and
    /// the file its endpoint's attachment option names, which the server reads by its own name.
    static func send(
        _ command: some ServedCommand, query: [(String, String)], document: Data?, attaching file: String?, connection: ServerConnection
    ) throws(RegistryError) -> Int32 {
        let endpoint = type(of: command).endpoint
        let form = AnswerForm(json: command.global.json, quiet: command.global.quiet, cli: true)
        let headers = [(AnswerForm.headerName, form.header)]
        guard let file, let option = endpoint.attachment else {
            return try print(
                try connection.send(endpoint.method.rawValue, endpoint.path, query: query, headers: headers, body: document), connection: connection)
        }
        var info = stat()
        guard stat(file, &info) == 0 else { throw RegistryError(.io, "cannot read '\(file)': \(String(cString: strerror(errno)))") }
        let named = query.map { $0.0 == option ? (option, (file as NSString).lastPathComponent) : $0 }
        let response = try connection.send(
            endpoint.method.rawValue, endpoint.path, query: named, headers: headers, document: document ?? Data(), attaching: file, size: Int64(info.st_size))
        return try print(response, connection: connection)
    }

    /// The version a reference names on the server (`GET /v1/show`): its model, number and
    /// manifest digest, for a client that then works on that exact version.
    static func version(_ reference: String, connection: ServerConnection) throws(RegistryError) -> (model: String, number: Int, digest: Digest) {
        struct Shown: Decodable {
            let model: String
            let version: Int
            let digest: String
        }
        let shown = try connection.send("GET", ShowCommand.endpoint.path, query: [("ref", reference)])
        guard shown.status == 200 else { throw failure(shown, connection: connection) }
        guard let version = try? JSONDecoder().decode(Shown.self, from: shown.body), let digest = Digest(parsing: version.digest) else {
            throw connection.unavailable("it answered \(ShowCommand.endpoint.path) without a version document (is it an mreg server?)")
        }
        return (version.model, version.version, digest)
    }

    /// The metrics the server's policy counts as lower-is-better (`GET /v1/policy`), for a
    /// comparison the client runs. A policy the server cannot read gives the defaults, as a
    /// comparison on the folder does.
    static func lowerIsBetter(model: String, connection: ServerConnection) throws(RegistryError) -> [String] {
        struct Effective: Decodable { let lowerIsBetter: [String] }
        let answer = try connection.send("GET", PolicyCommand.endpoint.path, query: [("model", model)])
        switch answer.status {
        case 200:
            guard let effective = try? JSONDecoder.snakeCase.decode(Effective.self, from: answer.body) else {
                throw connection.unavailable("it answered \(PolicyCommand.endpoint.path) without a policy document (is it an mreg server?)")
            }
            return effective.lowerIsBetter
        case 400: return Policy.defaultLowerIsBetter
        default: throw failure(answer, connection: connection)
        }
    }

    /// Prints what the server's run of a command printed; returns its exit code.
    static func print(_ response: ServerConnection.Response, connection: ServerConnection) throws(RegistryError) -> Int32 {
        try printEnvelope(response, connection: connection).exitCode
    }

    /// Prints what the server's run of a command printed; returns the whole answer.
    static func printEnvelope(_ response: ServerConnection.Response, connection: ServerConnection) throws(RegistryError) -> CLIEnvelope {
        guard response.contentType == CLIEnvelope.mediaType, let envelope = try? JSONDecoder.snakeCase.decode(CLIEnvelope.self, from: response.body)
        else {
            throw failure(response, connection: connection)
        }
        Console.write(Data(envelope.stdout.utf8), error: false)
        Console.write(Data(envelope.stderr.utf8), error: true)
        return envelope
    }

    /// A refusal before the command ran (no token, a role too low, a bad parameter), from the
    /// server's error document.
    static func failure(_ response: ServerConnection.Response, connection: ServerConnection) -> RegistryError {
        struct Document: Decodable {
            struct Body: Decodable {
                let kind: RegistryError.Kind
                let message: String
                let hint: String?
            }
            let error: Body
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: response.body) else {
            return connection.unavailable("it answered HTTP \(response.status) without an mreg document (is it an mreg server?)")
        }
        let error = document.error
        if error.kind == .unauthenticated {
            let hint = connection.hasToken ? "ask an admin for a new token, then 'mreg login \(connection.address)'"
                : "set MREG_TOKEN, or store a token with 'mreg login \(connection.address)'"
            return RegistryError(.unauthenticated, "mreg serve at \(connection.address): \(error.message)", hint: hint)
        }
        return RegistryError(error.kind, error.message, hint: error.hint)
    }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

extension Invocation {
    /// The server the registry option (else `MREG_REGISTRY`) names, or nil for a registry folder.
    func server(_ options: GlobalOptions) throws(RegistryError) -> ServerAddress? {
        guard let named = options.registry ?? environment["MREG_REGISTRY"], ServerAddress.isServer(named) else { return nil }
        return try ServerAddress(named, allowInsecure: environment["MREG_INSECURE"] == "1")
    }
}
