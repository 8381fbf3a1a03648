import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The registry folder (default: $MREG_REGISTRY, else the nearest ./registry upwards).", valueName: "path"))
    var registry: String?

    @Flag(name: .long, help: "Print one JSON document (its schema is in schemas/).")
    var json = false

    @Flag(name: [.short, .long], help: "No progress bars or notes on stderr.")
    var quiet = false
}

/// Everything a command reads from the process: read here only, then passed down.
struct Invocation {
    let environment: [String: String]
    let currentDirectory: String

    static var current: Invocation {
        Invocation(environment: ProcessInfo.processInfo.environment, currentDirectory: FileManager.default.currentDirectoryPath)
    }

    func registryPath(_ options: GlobalOptions) throws(RegistryError) -> String {
        try RegistryLocator.locate(explicit: options.registry, environment: environment["MREG_REGISTRY"], currentDirectory: currentDirectory)
    }

    func openRegistry(_ options: GlobalOptions) throws(RegistryError) -> Registry {
        let timeout = environment["MREG_BUSY_TIMEOUT"].flatMap(Double.init) ?? Registry.defaultBusyTimeout
        // Crash tests hold a ledger transaction open to kill the process inside it.
        let delay = environment["MREG_TEST_LEDGER_COMMIT_DELAY"].flatMap(Double.init) ?? 0
        return try Registry.open(at: try registryPath(options), busyTimeout: timeout, ledgerCommitDelay: delay)
    }

    /// A path the user typed, made absolute against the directory the command ran in.
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory + "/" + path
    }

    func progress(_ options: GlobalOptions) -> (any ProgressDisplay)? {
        options.json || options.quiet || !Console.stderrIsTerminal ? nil : TerminalProgress()
    }

    /// The user, host and CI job recorded with a registration.
    var registrant: Registrant {
        let account = getpwuid(geteuid()).flatMap { $0.pointee.pw_name }.map { String(cString: $0) }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? account ?? "uid \(geteuid())"
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CIEnvironment.registrant(user: user, host: hostName, environment: environment)
    }
}

/// A subcommand whose failures become one line on stderr and the documented exit status.
protocol RegistryCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ invocation: Invocation) throws(RegistryError)
}

extension RegistryCommand {
    func run() throws {
        do {
            try execute(.current)
        } catch {
            Console.err("error: \(error.description)")
            if global.json && !error.documentPrinted {
                Console.json(ErrorDocument(error: .init(kind: error.kind.rawValue, message: error.message, hint: error.hint, exitCode: error.exitCode)))
            }
            throw ExitCode(error.exitCode)
        }
    }

    /// Notes and warnings go to stderr unless `--quiet`.
    func note(_ line: String) {
        if !global.quiet { Console.err(line) }
    }
}

/// The EXIT STATUS section every command's help ends with.
let exitStatusHelp = """
    EXIT STATUS
      0   success
      1   internal error (a bug: the message says what to report) or an I/O failure
      2   not found (model, version, alias, path, dataset)
      3   conflict (already exists, destination not empty, lost a race)
      4   refused by a rule (a failed promotion gate, drift detected, nothing to roll back to, dirty work tree
          with --require-clean)
      5   integrity failure (missing or corrupt blob, manifest mismatch, bad or untrusted
          signature, altered history)
      10  no registry here (run 'mreg init'), or a registry of a newer format
      11  registry locked by another process for too long
      64  usage error (bad flags, invalid names, malformed params, metrics or policy files)
    """
