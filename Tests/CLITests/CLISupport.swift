import Foundation
import RegistryTestSupport
import Testing

/// The repository's root, for schemas/ and scripts/.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Checks a command's stdout against its schema with python's jsonschema (an independent validator).
func expectValid(_ result: ProcessResult, schema: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let directory = TemporaryDirectory()
    let document = directory.url("doc.json")
    try writeFile(document, result.stdout)
    let check = try run("/bin/sh", ["-c", "python3 \(repositoryRoot)/scripts/validate_json.py \(schema) < \(document)"], in: directory.path)
    #expect(check.status == 0, "\(schema): \(check.stderr)\n\(result.stdout)", sourceLocation: sourceLocation)
}

/// Binary predictions (`label,score` CSV) of two models on the same seeded examples: a
/// model's score for an example is its function of the label and a noise in [0, 1).
func pairedPredictions(
    seed: UInt64, rows: Int, weak: (UInt64, Double) -> Double, strong: (UInt64, Double) -> Double
) -> (weak: String, strong: String) {
    var random = SeededGenerator(seed: seed)
    var (a, b) = ("label,score\n", "label,score\n")
    for _ in 0..<rows {
        let label = random.next() % 2
        let noise = Double(random.next() % 1000) / 1000
        a += "\(label),\(weak(label, noise))\n"
        b += "\(label),\(strong(label, noise))\n"
    }
    return (a, b)
}

/// A workspace with an initialised registry for spawning `mreg` in.
struct CLIWorkspace {
    let directory = TemporaryDirectory()
    var path: String { directory.path }
    var registry: String { directory.url("registry") }

    init() throws {
        let created = try mreg(["init"], in: directory.path)
        guard created.status == 0 else { throw TestFailure("mreg init failed: \(created.stderr)") }
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try mreg(arguments, in: path, environment: environment)
    }
}
