import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// `mreg keys trust` through `mreg serve` (admins): the client reads the public key file and
/// sends its text and the name to trust it under; the server's registry trusts it.
extension KeysTrustCommand {
    struct Upload: Codable {
        let name: String
        let pem: String
    }

    /// `POST /v1/keys/trust`: trusts a public key (PEM) under a name.
    static let trustRoute = ServerRoute(.post, "/v1/keys/trust", role: .admin, takesBody: true) { call throws(RegistryError) in
        let upload = try decodeBody(Upload.self, from: call.body, what: "a key to trust (schemas/key-upload.schema.json)")
        guard call.items.isEmpty else { throw RegistryError(.usage, "/v1/keys/trust takes no parameters", hint: "send the name and the key in the body") }
        return try RouteAnswer.printed(call.form) { (global) throws(RegistryError) in
            let (key, added) = try call.registry.trustKey(pem: upload.pem, name: upload.name)
            report(key, added: added, json: global.json)
        }
    }

    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        let (pem, name) = try keyFile(invocation)
        let form = AnswerForm(json: global.json, quiet: global.quiet, cli: true)
        let response = try connection.send(
            "POST", "/v1/keys/trust", headers: [(AnswerForm.headerName, form.header)], body: try wireBody(Upload(name: name, pem: pem)))
        return try ServerClient.print(response, connection: connection)
    }
}
