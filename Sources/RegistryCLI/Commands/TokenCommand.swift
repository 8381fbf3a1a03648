import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the access tokens of 'mreg serve'.",
        discussion: """
            Roles, each including the ones before it: reader (reads everything), writer (register, \
            evaluate, dataset add, sign, annotate), promoter (promote, demote, rollback, deprecate, \
            lift, on the aliases it is granted), admin (tokens, trusted keys, policy). A token's \
            secret is shown once, when it is created; the registry keeps only its SHA-256.
            """,
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

extension Role: ExpressibleByArgument {}

struct TokenCreateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print its secret (once).",
        discussion: """
            The secret alone goes to stdout, so that it can go straight into a file or a CI secret; \
            what the token may do goes to stderr.

            EXAMPLES
              mreg token create ci-churn --role writer --models 'churn*' --expires 90d > ci-churn.token
              mreg token create release-bot --role promoter --aliases staging
            """)

    @Argument(help: ArgumentHelp("The token's name: who or what uses it (letters, digits, '.', '_', '-').", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("reader, writer, promoter or admin.", valueName: "role"))
    var role: Role

    @Option(help: ArgumentHelp("The models it may act on, '*' any run of characters.", valueName: "pattern"))
    var models = "*"

    @Option(help: ArgumentHelp("The aliases a promoter may move, '*' any run of characters.", valueName: "pattern"))
    var aliases = "*"

    @Option(help: ArgumentHelp("How long it is valid: 90d, 12h, 30m or 2w (default: until revoked).", valueName: "duration"))
    var expires: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (token, secret) = try registry.createToken(
            TokenRequest(name: name, role: role, models: models, aliases: aliases, expires: expires, actor: invocation.registrant))
        if global.json {
            Console.json(TokenCreateDocument(token: TokenDocument(token, now: Date()), secret: secret))
            return
        }
        Console.out(secret)
        note(
            "created token '\(token.name)': \(token.role.rawValue) on models \(token.models), aliases \(token.aliases), "
                + (token.expiresAt.map { "until \(Timestamp.format($0))" } ?? "until revoked")
                + "; this is the only time its secret is shown")
    }
}

struct TokenListCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the tokens, revoked and expired ones too (never their secrets).")

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let tokens = try invocation.openRegistry(global).tokens()
        let now = Date()
        if global.json {
            Console.json(TokenListDocument(tokens: tokens.map { TokenDocument($0, now: now) }))
        } else if tokens.isEmpty {
            note("no tokens; create one with 'mreg token create NAME --role ROLE'")
        } else {
            Console.out(Format.table(
                ["NAME", "ROLE", "MODELS", "ALIASES", "CREATED", "EXPIRES", "STATE"],
                tokens.map {
                    [
                        $0.name, $0.role.rawValue, $0.models.text, $0.aliases.text, Timestamp.format($0.createdAt),
                        $0.expiresAt.map(Timestamp.format) ?? "never", TokenDocument.state($0, now: now),
                    ]
                }))
        }
    }
}

struct TokenRevokeCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token: from now on it is refused. Revoking a revoked token changes nothing.")

    @Argument(help: ArgumentHelp("The token's name.", valueName: "name"))
    var name: String

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let token = try invocation.openRegistry(global).revokeToken(named: name)
        if global.json {
            Console.json(SingleTokenDocument(token: TokenDocument(token, now: Date())))
        } else {
            Console.out("revoked token '\(token.name)' (\(token.role.rawValue), created \(Timestamp.format(token.createdAt)) by \(token.createdBy.user))")
        }
    }
}
