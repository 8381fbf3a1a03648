import Foundation

/// A fresh folder on the real disk, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "mreg-test") {
        var template = Array("\(NSTemporaryDirectory())/\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = URL(fileURLWithPath: String(cString: created!)).standardizedFileURL.path
    }

    public func url(_ relative: String) -> String { path + "/" + relative }

    deinit {
        ClientMode.stopServers(under: path)
        _ = try? FileManager.default.removeItem(atPath: path)
    }
}

/// Writes a file, creating its folders.
public func writeFile(_ path: String, _ bytes: [UInt8], executable: Bool = false) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    if executable { chmod(path, 0o755) }
}

public func writeFile(_ path: String, _ text: String) throws {
    try writeFile(path, Array(text.utf8))
}

public func readFile(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// A small, seeded random generator (SplitMix64) so property tests are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(count + 8)
        while output.count < count {
            withUnsafeBytes(of: next()) { output += $0 }
        }
        return Array(output.prefix(count))
    }
}
