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

    /// A metric's value from `GET /metrics` (0 while it has none), read in this process over a
    /// socket: a curl process per look is too slow to watch an upload arriving. Plain HTTP only.
    func metric(_ name: String) throws -> Int {
        guard url.hasPrefix("http://"), let port = url.split(separator: ":").last.flatMap({ UInt16($0) }) else { throw TestFailure("not a plain HTTP address: \(url)") }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw TestFailure("cannot connect to \(url): \(errno)") }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard write(descriptor, request, request.count) == request.count else { throw TestFailure("cannot send to \(url)") }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case let count = read(descriptor, &buffer, buffer.count), count > 0 { answer += buffer[0..<count] }
        let line = String(decoding: answer, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
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
