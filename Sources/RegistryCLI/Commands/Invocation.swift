import ArgumentParser
import Foundation
import RegistryBackends
import RegistryKit
import RegistryModel

/// Everything a command reads from the process: read here only, then passed down.
struct Invocation {
    let environment: [String: String]
    let currentDirectory: String
    /// Set when `mreg serve` runs the command for a client: it then works on the server's
    /// registry, as the client's token, and reads nothing of the server's process.
    var served: ServedCall?

    static var current: Invocation {
        Invocation(environment: ProcessInfo.processInfo.environment, currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// What a command run by `mreg serve` works with instead of the process's.
    struct ServedCall {
        /// The worker's registry.
        let registry: Registry
        /// The token the client sent.
        let principal: AccessToken
        /// What the ledger records: the token's name, on the server's host.
        let actor: Registrant
        /// What the client read on its machine for the command (a JSON document), if anything.
        var body = Data()
    }

    /// The invocation of a command `mreg serve` runs for a client; its folder holds only the
    /// file the client sent with it, if any.
    static func serving(_ call: ServedCall, currentDirectory: String = "/") -> Invocation {
        Invocation(environment: [:], currentDirectory: currentDirectory, served: call)
    }

    /// Whether the caller may see a model: always on the command line; through the server, when
    /// the token's model grant names it.
    func maySee(model: String) -> Bool { served?.principal.models.matches(model) ?? true }

    func registryPath(_ options: GlobalOptions) throws(RegistryError) -> String {
        try RegistryLocator.locate(explicit: options.registry, environment: environment["MREG_REGISTRY"], currentDirectory: currentDirectory)
    }

    /// The registry the options name; `observer` is told what it does (`mreg serve`'s metrics).
    func openRegistry(_ options: GlobalOptions, observer: (any RegistryObserver)? = nil) throws(RegistryError) -> Registry {
        if let served { return served.registry }
        // Crash tests hold a ledger transaction open to kill the process inside it.
        let delay = environment["MREG_TEST_LEDGER_COMMIT_DELAY"].flatMap(Double.init) ?? 0
        return try Registry.open(
            at: try registryPath(options), environment: environment, busyTimeout: busyTimeout, ledgerCommitDelay: delay, observer: observer)
    }

    /// How long a write waits for another process's lock (`MREG_BUSY_TIMEOUT` seconds).
    var busyTimeout: Double { environment["MREG_BUSY_TIMEOUT"].flatMap(Double.init) ?? Registry.defaultBusyTimeout }

    /// Starts connecting to the registry's PostgreSQL server, when it has one, while the
    /// arguments are parsed (parsing takes some 5 ms, connecting some 10): the registry is the
    /// one `--registry` names in the raw arguments, else the one `registryPath` would find. A
    /// command that opens no registry (`init`, `--help`, a usage error) leaves the connection unused.
    func connectAhead(_ arguments: [String]) {
        guard let command = arguments.first, !["init", "help", "keys", "login", "-h", "--help", "--version"].contains(command),
            !arguments.contains(where: { ["-h", "--help", "--version"].contains($0) })
        else { return }
        var explicit: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--registry", index + 1 < arguments.count { explicit = arguments[index + 1] }
            if argument.hasPrefix("--registry=") { explicit = String(argument.dropFirst("--registry=".count)) }
        }
        let (variable, directory) = (environment["MREG_REGISTRY"], currentDirectory)
        StandardStores.connectAhead(
            registryAt: { [explicit] in try? RegistryLocator.locate(explicit: explicit, environment: variable, currentDirectory: directory) },
            environment: environment, busyTimeout: busyTimeout)
    }

    /// A path the user typed, made absolute against the directory the command ran in.
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory + "/" + path
    }

    func progress(_ options: GlobalOptions) -> (any ProgressDisplay)? {
        options.json || options.quiet || served != nil || !Console.stderrIsTerminal ? nil : TerminalProgress()
    }

    /// The user, host and CI job recorded with a registration.
    var registrant: Registrant {
        if let served { return served.actor }
        let account = getpwuid(geteuid()).flatMap { $0.pointee.pw_name }.map { String(cString: $0) }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? account ?? "uid \(geteuid())"
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CIEnvironment.registrant(user: user, host: hostName, environment: environment)
    }
}
