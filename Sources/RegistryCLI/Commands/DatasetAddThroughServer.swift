import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// `mreg dataset add` through `mreg serve`: the client fingerprints and profiles the data where
/// it is (the data itself is not sent), and the server records it under the name.
extension DatasetAddCommand {
    struct Upload: Codable {
        let dataset: PreparedDataset
        let warnings: [String]
    }

    /// `POST /v1/dataset/add?name=NAME`: records a dataset read on the client, as the token.
    static let addRoute = ServerRoute(.post, "/v1/dataset/add", role: .writer, takesBody: true) { call throws(RegistryError) in
        let upload = try decodeBody(Upload.self, from: call.body, what: "a dataset (schemas/dataset-upload.schema.json)")
        guard let name = call.items.first(where: { $0.0 == "name" })?.1, call.items.count == 1 else {
            throw RegistryError(.usage, "/v1/dataset/add takes one parameter, name", hint: "POST /v1/dataset/add?name=NAME")
        }
        return try RouteAnswer.printed(call.form) { (global) throws(RegistryError) in
            let (view, added) = try call.registry.addDataset(name: name, prepared: upload.dataset, actor: call.actor)
            report(name: name, view, added: added, warnings: upload.warnings, global: global)
        }
    }

    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        let (dataset, warnings) = try Registry.prepareDataset(
            name: name, path: path, currentDirectory: invocation.currentDirectory, progress: invocation.progress(global))
        let form = AnswerForm(json: global.json, quiet: global.quiet, cli: true)
        let response = try connection.send(
            "POST", "/v1/dataset/add", query: [("name", name)], headers: [(AnswerForm.headerName, form.header)],
            body: try wireBody(Upload(dataset: dataset, warnings: warnings)))
        return try ServerClient.print(response, connection: connection)
    }
}
