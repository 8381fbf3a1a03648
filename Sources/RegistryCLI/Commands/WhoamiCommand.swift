import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct WhoamiCommand: ServedCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the token a server knows you by: its name, role and grants.",
        discussion: """
            Asks the server that --registry or MREG_REGISTRY names (https://HOST:PORT); a registry \
            folder has no tokens to ask about.

            EXAMPLES
              MREG_REGISTRY=https://mreg.example:8443 mreg whoami
            """)

    @OptionGroup var global: GlobalOptions

    static let endpoint = Endpoint(method: .get, path: "/v1/whoami", role: .reader, answers: ["whoami"])
    var parameters: [(String, String)] { [] }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        guard let token = invocation.served?.principal else {
            throw RegistryError(
                .usage, "'mreg whoami' asks a server which token you use; this registry is a folder",
                hint: "pass --registry https://HOST:PORT, or set MREG_REGISTRY")
        }
        if global.json {
            Console.json(SingleTokenDocument(token: TokenDocument(token, now: Date())))
            return
        }
        Console.out(
            "\(token.name): \(token.role.rawValue) on models \(token.models), aliases \(token.aliases), "
                + (token.expiresAt.map { "until \(Timestamp.format($0))" } ?? "until revoked"))
    }
}
