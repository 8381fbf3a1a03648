import Foundation

/// The result of running a process to completion.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout parsed as one JSON object.
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw TestFailure("stdout is not a JSON object: \(stdout)")
        }
        return object
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The `mreg` binary built beside the test bundle.
public var mregExecutable: String {
    let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
    while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("mreg").path), directory.path != "/" {
        directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("mreg").path
}

/// Starts a process; the caller waits for it or kills it.
public func launch(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "MREG_REGISTRY")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return (process, out, err)
}

/// Runs a process to completion and captures its output.
public func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
    let (process, out, err) = try launch(executable, arguments, in: directory, environment: environment)
    // Read both pipes before waiting, so a chatty child never blocks on a full pipe.
    let errData = Data.Locked()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.value, as: UTF8.self))
}

/// Runs `mreg` with arguments in a folder.
///
/// On the suite's PostgreSQL pass, `init` of a new registry gets a database of its own; on its
/// client-mode pass, a command on an existing registry goes through that registry's server.
public func mreg(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
    let (routed, routedEnvironment) = try ClientMode.route(
        try TestBackend.initArguments(arguments, in: directory, environment: environment), in: directory, environment: environment)
    return try run(mregExecutable, routed, in: directory, environment: routedEnvironment)
}

extension Data {
    /// A value set once from another thread.
    final class Locked: @unchecked Sendable {
        // Safe: `value` is written once under `lock` and read only after `isSet` is observed under it.
        private let lock = NSLock()
        private var stored: Data?
        func set(_ data: Data) { lock.withLock { stored = data } }
        var isSet: Bool { lock.withLock { stored != nil } }
        var value: Data { lock.withLock { stored ?? Data() } }
    }
}
