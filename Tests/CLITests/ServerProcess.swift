import Foundation
import RegistryTestSupport

/// A running `mreg serve` on a loopback port, its stdout read up to the address it prints and
/// its stderr (the request log) read all along, as a log shipper would: a pipe left unread
/// fills up after some 400 requests.
final class ServerProcess {
    let process: Process
    let url: String
    private let log = CollectedOutput()

    /// The certificate curl trusts, when the server answers HTTPS.
    var certificate: String?

    init(registry: String, in directory: String, arguments: [String] = []) throws {
        let (process, out, err) = try launch(mregExecutable, ["serve", "--registry", registry, "--listen", "127.0.0.1:0", "--workers", "2"] + arguments, in: directory)
        self.process = process
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestFailure("mreg serve ended before listening: \(String(decoding: err.fileHandleForReading.availableData, as: UTF8.self))") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening on http://") || text.hasPrefix("listening on https://") else { throw TestFailure("unexpected first line: \(text)") }
        url = String(text.dropFirst("listening on ".count))
        let (handle, log) = (err.fileHandleForReading, self.log)
        Thread.detachNewThread {
            while case let chunk = handle.availableData, !chunk.isEmpty { log.append(chunk) }
            log.finish()
        }
    }

    /// A request by curl: the status and the body.
    func request(_ path: String, token: String? = nil, method: String = "GET", body: String? = nil) throws -> (status: Int, body: String) {
        try curl(path, token: token, method: method, extra: body.map { ["-H", "Content-Type: application/json", "--data-binary", $0] } ?? [])
    }

    /// A request by curl whose body is a file's bytes, with extra headers.
    func request(_ path: String, token: String?, method: String, bodyFile: String, headers: [String]) throws -> (status: Int, body: String) {
        try curl(path, token: token, method: method, extra: ["--data-binary", "@" + bodyFile] + headers.flatMap { ["-H", $0] })
    }

    /// A file uploaded by curl with `PUT`.
    func upload(_ path: String, file: String, token: String?) throws -> (status: Int, body: String) {
        try curl(path, token: token, method: "PUT", extra: ["--data-binary", "@" + file])
    }

    private func curl(_ path: String, token: String?, method: String, extra: [String]) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-X", method, "-w", "\n%{http_code}", url + path] + extra
        if let certificate { arguments += ["--cacert", certificate] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let result = try run("/usr/bin/env", ["curl"] + arguments, in: "/")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n"))
    }

    /// Stops it as a service manager does; returns its exit status and what it wrote on stderr.
    func stop() -> (status: Int32, stderr: String) {
        process.terminate()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: log.waitForEnd(), as: UTF8.self))
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// Bytes a reader thread collects until the writer closes its end.
final class CollectedOutput: @unchecked Sendable {
    // Safe: `data` and `ended` are only touched under `condition`.
    private let condition = NSCondition()
    private var data = Data()
    private var ended = false

    func append(_ chunk: Data) {
        condition.lock()
        data.append(chunk)
        condition.unlock()
    }

    func finish() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    func waitForEnd() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while !ended { condition.wait() }
        return data
    }
}
