import ArgumentParser
import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Store a server's token in the credentials file (mode 0600), after checking it with the server.",
        discussion: """
            The token is read from standard input, never from the command line (shell histories and \
            process lists keep those). The file is $MREG_CREDENTIALS, else \
            $XDG_CONFIG_HOME/mreg/credentials, else ~/.config/mreg/credentials: one 'URL TOKEN' line \
            per server. MREG_TOKEN, when set, is used instead of the file.

            EXAMPLES
              mreg login https://mreg.example:8443 < ci.token
              printf '%s\\n' "$MREG_CI_TOKEN" | mreg login https://mreg.example:8443
            """)

    @Argument(help: ArgumentHelp("The server, as 'mreg serve' printed it.", valueName: "url"))
    var server: String

    func run() throws {
        do throws(RegistryError) {
            try login(Invocation.current)
        } catch {
            Console.report(error, json: false)
            throw ExitCode(error.exitCode)
        }
    }

    func login(_ invocation: Invocation) throws(RegistryError) {
        let address = try ServerAddress(server, allowInsecure: invocation.environment["MREG_INSECURE"] == "1")
        if isatty(STDIN_FILENO) == 1 { FileHandle.standardError.write(Data("token for \(address): ".utf8)) }
        let token = Self.readSecret()
        guard !token.isEmpty else {
            throw RegistryError(.usage, "no token on standard input", hint: "pipe it in: mreg login \(address) < FILE")
        }
        // The token is checked before it is kept: a typo is caught now, not in the next CI job.
        let connection = try ServerConnection(address: address, token: token, caFile: invocation.environment["MREG_CA_CERT"])
        let response = try connection.send("GET", WhoamiCommand.endpoint.path, query: [], headers: [(AnswerForm.headerName, "text")])
        guard response.contentType == CLIEnvelope.mediaType, let envelope = try? JSONDecoder.snakeCase.decode(CLIEnvelope.self, from: response.body),
            envelope.exitCode == 0
        else {
            throw ServerClient.failure(response, connection: connection)
        }
        let path = try ServerCredentials.store(token, for: address, environment: invocation.environment)
        Console.out("logged in to \(address) as \(envelope.stdout.trimmingCharacters(in: .newlines)); the token is in \(path)")
    }

    /// One line from standard input, not echoed when it is a terminal.
    static func readSecret() -> String {
        var settings = termios()
        let terminal = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &settings) == 0
        if terminal {
            var silent = settings
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if terminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &settings)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        return (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
    }
}
