import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

/// A subcommand whose failures become one line on stderr and the documented exit status.
protocol RegistryCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ invocation: Invocation) throws(RegistryError)
    /// Whether it works on this machine alone (`keys generate`), so that a server named by
    /// `--registry` or `MREG_REGISTRY` changes nothing for it.
    static var worksWithoutRegistry: Bool { get }
}

extension RegistryCommand {
    static var worksWithoutRegistry: Bool { false }

    func run() throws {
        let invocation = Invocation.current
        var status: Int32 = 0
        do throws(RegistryError) {
            // A server's answer was printed as it came; only its exit code is left to end with.
            if !Self.worksWithoutRegistry, let server = try invocation.server(global) {
                status = try ServerClient.run(self, at: server, invocation: invocation)
            } else {
                try execute(invocation)
            }
        } catch {
            Console.report(error, json: global.json)
            status = error.exitCode
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Notes and warnings go to stderr unless `--quiet`.
    func note(_ line: String) {
        if !global.quiet { Console.err(line) }
    }

    /// What a command that marks one version prints: its JSON document, or `VERB: NAME; event
    /// #N`, or `unchanged: NAME WHY` when no event was written.
    func reportVersionEvent(_ record: VersionRecord, _ event: RecordedEvent?, done verb: String, unchanged why: String) {
        if global.json {
            Console.json(VersionEventDocument(record, event: event))
            return
        }
        let name = "\(record.model)@\(record.number)"
        Console.out(event.map { "\(verb): \(name); event #\($0.event.sequence)" } ?? "unchanged: \(name) \(why)")
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
      12  backend unavailable (the registry's PostgreSQL or OCI registry is down, unreachable
          or refuses the credentials; nothing was recorded, retry once it is back)
      64  usage error (bad flags, invalid names, malformed params, metrics or policy files)
    """
