import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// `mreg sign` through `mreg serve`: the private key never leaves the client. The client signs
/// the manifest digest of the version the server names, and the server records the signature
/// once it verifies with a key the registry trusts.
extension SignCommand {
    /// What the client sends: the manifest it signed, the key's fingerprint and the signature.
    struct Upload: Codable {
        let manifest: Digest
        let keyFingerprint: Digest
        /// Base64.
        let signature: String
    }

    /// `POST /v1/sign?ref=MODEL@N`: records a signature made on the client, as the token.
    static let signRoute = ServerRoute(.post, "/v1/sign", role: .writer, modelParameter: "ref", takesBody: true) { call throws(RegistryError) in
        let upload = try decodeBody(Upload.self, from: call.body, what: "a signature (schemas/signature-upload.schema.json)")
        guard let reference = call.items.first(where: { $0.0 == "ref" })?.1, call.items.count == 1 else {
            throw RegistryError(.usage, "/v1/sign takes one parameter, ref", hint: "POST /v1/sign?ref=MODEL@VERSION")
        }
        guard let signature = Data(base64Encoded: upload.signature) else {
            throw RegistryError(.usage, "the signature is not base64", hint: "send the Ed25519 signature of the manifest digest, in base64")
        }
        return try RouteAnswer.printed(call.form) { (global) throws(RegistryError) in
            let (record, key, created) = try call.registry.recordSignature(
                reference: reference, manifest: upload.manifest, signature: Array(signature), keyFingerprint: upload.keyFingerprint, signer: call.actor)
            report(record, key: key, created: created, json: global.json)
        }
    }

    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        let key = try Registry.signingKey(try keyPEM(invocation))
        let version = try ServerClient.version(reference, connection: connection)
        let manifest = version.digest
        let signature = try Registry.signature(of: manifest, with: key)
        let body = try wireBody(Upload(manifest: manifest, keyFingerprint: key.publicKey.fingerprint, signature: Data(signature).base64EncodedString()))
        let form = AnswerForm(json: global.json, quiet: global.quiet, cli: true)
        let response = try connection.send(
            "POST", "/v1/sign", query: [("ref", "\(version.model)@\(version.number)")], headers: [(AnswerForm.headerName, form.header)], body: body)
        return try ServerClient.print(response, connection: connection)
    }
}
