import Foundation
import RegistryKit

/// The suite's client-mode pass (`MREG_TEST_CLIENT=1`, as scripts/test sets on its third pass):
/// every `mreg` a CLI test runs on an existing registry goes through a live `mreg serve` over
/// that registry instead, so the end-to-end suite checks that the client prints the same output
/// and ends with the same exit codes as the folder does.
///
/// One server per registry, started on first use and stopped when the test's temporary folder
/// is released; the command's actor becomes an admin token named after it (`USER`), which is
/// what the server records as the actor.
public enum ClientMode {
    public static var isOn: Bool { ProcessInfo.processInfo.environment["MREG_TEST_CLIENT"] == "1" }

    /// Commands that work on the registry's folder and stores only (`init`, `gc`, `migrate`,
    /// `serve`), or that the harness itself needs on the folder (`token`: the harness makes its
    /// tokens there, so a test's token listing would show them; the token routes have their own
    /// server tests).
    static let localCommands: Set<String> = ["init", "gc", "migrate", "serve", "token", "help", "--help", "-h", "--version"]

    /// The arguments and environment to run `mreg` with: unchanged, or pointed at the server of
    /// the registry the command names.
    static func route(_ arguments: [String], in directory: String, environment: [String: String]) throws -> ([String], [String: String]) {
        guard isOn, let command = arguments.first, !command.hasPrefix("-"), !localCommands.contains(command),
            !arguments.contains(where: { ["-h", "--help"].contains($0) })
        else { return (arguments, environment) }
        var explicit: String?
        var rest = [String]()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--registry", index + 1 < arguments.count {
                explicit = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--registry=") { explicit = String(argument.dropFirst("--registry=".count)) } else { rest.append(argument) }
            index += 1
        }
        guard let root = try? RegistryLocator.locate(explicit: explicit, environment: environment["MREG_REGISTRY"], currentDirectory: directory),
            FileManager.default.fileExists(atPath: root + "/registry.json"),
            let server = try Servers.shared.server(for: root)
        else { return (arguments, environment) }
        let actor = environment["USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "tester"
        let secret = try server.token(for: actor)
        var routed = environment
        routed["MREG_REGISTRY"] = server.url
        routed["MREG_TOKEN"] = secret
        return (rest, routed)
    }

    /// Who creates the harness's tokens: `registrySnapshot` leaves them out, since a test's
    /// snapshot before a command is taken before the harness made the command's token.
    public static let harnessUser = "mreg-test-harness"

    /// Stops the servers of registries inside a folder that is being removed.
    static func stopServers(under folder: String) {
        guard isOn else { return }
        Servers.shared.stop(under: folder + "/")
    }

    /// The running servers, by registry root.
    final class Servers: @unchecked Sendable {
        // Safe: `running` is only touched under `lock`; each server serialises its own starts.
        static let shared = Servers()
        private let lock = NSLock()
        private var running = [String: Server]()

        /// The registry's server, or nil when `mreg serve` refuses to serve it (the command then
        /// runs on the folder, which says why: a registry of a newer format, say).
        func server(for root: String) throws -> Server? {
            let server = lock.withLock {
                if let server = running[root] { return server }
                let server = Server(root: root)
                running[root] = server
                return server
            }
            return try server.start() ? server : nil
        }

        func stop(under folder: String) {
            let stopped = lock.withLock {
                let roots = running.keys.filter { $0.hasPrefix(folder) }
                return roots.compactMap { running.removeValue(forKey: $0) }
            }
            for server in stopped { server.stop() }
        }
    }

    /// One `mreg serve`, run by a watchdog shell that stops it when the test process ends,
    /// however it ends. Neither holds a descriptor of the test process: the shell that starts
    /// them (bash: dash cannot close a descriptor above 9) closes every one it inherited
    /// (Foundation's per-process sockets and pipes among them, which another test's `run` is
    /// waiting to see closed), starts the watchdog in the background and exits; the server
    /// writes the address it listens on into a file.
    final class Server: @unchecked Sendable {
        // Safe: every field is only touched under `lock`.
        let root: String
        private let lock = NSLock()
        private var watchdog: pid_t?
        private var address: String?
        private var refused = false
        private var tokens = [String: String]()

        init(root: String) { self.root = root }

        var url: String { lock.withLock { address ?? "" } }

        private static let script = """
            for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
            (
              trap 'kill $server 2>/dev/null; exit 0' TERM
              "$0" serve --registry "$1" --listen 127.0.0.1:0 --workers 2 > "$3" 2>/dev/null < /dev/null &
              server=$!
              while kill -0 "$2" 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done
              kill $server 2>/dev/null
              wait $server
              echo "exited" >> "$3"
            ) > /dev/null 2>&1 < /dev/null &
            echo $! > "$4"
            """

        /// Starts the server unless it runs; false when `mreg serve` ends instead of listening.
        /// A harness that cannot start it fails the test rather than run the command on the
        /// folder, which would pass this pass without testing a server.
        func start() throws -> Bool {
            try lock.withLock { () throws -> Bool in
                if address != nil { return true }
                if refused { return false }
                let files = NSTemporaryDirectory() + "/mreg-client-mode-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
                defer { unlink(files + ".address"); unlink(files + ".pid") }
                var environment = ProcessInfo.processInfo.environment
                environment.removeValue(forKey: "MREG_REGISTRY")
                guard
                    let started = try? run("/bin/bash", ["-c", Self.script, mregExecutable, root, String(getpid()), files + ".address", files + ".pid"], in: "/"),
                    started.status == 0,
                    let pid = (try? String(contentsOfFile: files + ".pid", encoding: .utf8)).flatMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
                else { throw TestFailure("client mode: cannot start the watchdog of mreg serve for \(root)") }
                // The server prints its address once it listens (a second or so on a busy machine).
                for _ in 0..<1200 {
                    let text = (try? String(contentsOfFile: files + ".address", encoding: .utf8)) ?? ""
                    if text.hasPrefix("exited") {
                        refused = true
                        return false
                    }
                    if text.hasSuffix("\n"), text.hasPrefix("listening on http://") {
                        let listening = text.split(separator: "\n")[0].dropFirst("listening on ".count)
                        (watchdog, address) = (pid, String(listening))
                        return true
                    }
                    usleep(50_000)
                }
                kill(pid, SIGTERM)
                throw TestFailure("client mode: mreg serve for \(root) did not listen within a minute")
            }
        }

        /// The secret of an admin token named after `actor`, made on the folder on first use.
        func token(for actor: String) throws -> String {
            try lock.withLock { () throws -> String in
                if let secret = tokens[actor] { return secret }
                let created = try run(
                    mregExecutable, ["token", "create", actor, "--role", "admin", "--registry", root], in: "/", environment: ["USER": harnessUser])
                guard created.status == 0 else { throw TestFailure("client mode: cannot create a token for '\(actor)': \(created.stderr)") }
                let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                tokens[actor] = secret
                return secret
            }
        }

        /// Stops the server (its watchdog stops it within a second) without waiting for it.
        func stop() {
            lock.withLock {
                if let watchdog { kill(watchdog, SIGTERM) }
                (watchdog, address) = (nil, nil)
            }
        }
    }
}
