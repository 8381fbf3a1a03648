import ArgumentParser
import Foundation
import RegistryBackends
import RegistryKit
import RegistryModel

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
        return try Registry.open(at: try registryPath(options), environment: environment, busyTimeout: timeout, ledgerCommitDelay: delay)
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
