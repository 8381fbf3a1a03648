import Foundation
import RegistryDocuments
import RegistryTestSupport
import Testing

/// The documents the web UI is drawn from read back into the types the CLI printed them from:
/// every member, nested ones too, under the name it was printed with. A property whose name does
/// not survive snake_case and back (`invalidUTF8Values` prints `invalid_utf8_values`, which reads
/// back as `invalidUtf8Values`) would fail a page, or silently read as absent.
@Suite struct DocumentRoundTripTests {
    /// Decodes `result`'s document as `type`, prints it again, and compares the two as JSON.
    func expectRoundTrip<T: Codable>(_ result: ProcessResult, as type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let printed = Data(result.stdout.utf8)
        let decoded = try DocumentDecoder.decode(type, printed)
        let again = try DocumentEncoder.encode(decoded)
        let before = try JSONSerialization.jsonObject(with: printed) as? NSDictionary
        let after = try JSONSerialization.jsonObject(with: again) as? NSDictionary
        #expect(before != nil && before == after, "\(T.self) does not read back as printed:\n\(result.stdout)\n---\n\(String(decoding: again, as: UTF8.self))",
                sourceLocation: sourceLocation)
    }

    @Test func everyDocumentAPageReadsReadsBackAsPrinted() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("data/train.csv"), "x,y,region\n1,0,north\n2,1,south\n3,1,north\n")
        // A row with bytes that are not UTF-8: its count is one of the profile's problems.
        try writeFile(space.directory.url("data/odd.csv"), Array("x,y,region\n4,0,\u{00}".utf8) + [0xff, 0xfe] + Array("\n".utf8))
        for number in 1...2 {
            try writeFile(space.directory.url("m\(number)/w.bin"), "weights \(number)")
            let registered = try space.run(
                ["register", "churn", "m\(number)", "--no-git", "-q", "--dataset", "train=data/train.csv", "--metric", "holdout.auc=0.8\(number)",
                 "--param", "lr=0.\(number)", "--param", "trees.depth=\(number + 2)", "--label", "owner=risk", "--description", "tuned"]
                    + (number == 2 ? ["--parent", "churn@1"] : []))
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        #expect(try space.run(["dataset", "add", "odd", "data/odd.csv", "-q"]).status == 0)
        let (weak, strong) = pairedPredictions(
            seed: 5, rows: 200, weak: { label, noise in min(1, noise * 0.7 + (label == 1 ? 0.2 : 0.1)) },
            strong: { label, noise in min(1, noise * 0.5 + (label == 1 ? 0.45 : 0.05)) })
        for (number, predictions) in [(1, weak), (2, strong)] {
            try writeFile(space.directory.url("p\(number).csv"), predictions)
            let evaluated = try space.run(
                ["evaluate", "churn@\(number)", "--dataset", "data/train.csv", "--predictions", "p\(number).csv", "--task", "binary", "--bootstrap", "50",
                 "--json"])
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
            try expectRoundTrip(evaluated, as: EvaluationDocument.self)
        }
        try FileManager.default.createDirectory(atPath: space.directory.url("keys"), withIntermediateDirectories: true)
        for step in [["keys", "generate", "release", "--out", "keys"], ["keys", "trust", "keys/release.pub"], ["sign", "churn@2", "--key", "keys/release.key"]] {
            #expect(try space.run(step + ["-q"]).status == 0)
        }
        #expect(try space.run(["promote", "churn@1", "--to", "production", "--reason", "first", "-q"]).status == 0)
        let promoted = try space.run(["promote", "churn@2", "--to", "production", "--dry-run", "--json"])
        try expectRoundTrip(promoted, as: PromoteDocument.self)
        #expect(try space.run(["promote", "churn@2", "--to", "production", "--force", "--reason", "hotfix", "-q"]).status == 0)
        #expect(try space.run(["annotate", "churn@1", "--label", "stage=old", "--reason", "superseded", "-q"]).status == 0)
        let drifted = try space.run(["drift", "churn@2", "--data", "data/odd.csv", "--record", "--json"])
        try expectRoundTrip(drifted, as: DriftDocument.self)

        try expectRoundTrip(try space.run(["show", "churn@2", "--json"]), as: VersionDocument.self)
        try expectRoundTrip(try space.run(["show", "churn@1", "--json"]), as: VersionDocument.self)
        try expectRoundTrip(try space.run(["list", "--json"]), as: ModelListDocument.self)
        try expectRoundTrip(try space.run(["list", "churn", "--json"]), as: VersionListDocument.self)
        try expectRoundTrip(try space.run(["history", "churn", "--records", "--json"]), as: HistoryDocument.self)
        try expectRoundTrip(try space.run(["history", "churn", "--at", "2999-01-01", "--json"]), as: AliasesAtDocument.self)
        try expectRoundTrip(try space.run(["lineage", "churn@2", "--format", "json"]), as: LineageDocument.self)
        try expectRoundTrip(try space.run(["diff", "churn@1", "churn@2", "--json"]), as: DiffDocument.self)
        try expectRoundTrip(try space.run(["compare", "churn@1", "churn@2", "--dataset", "train", "--json"]), as: ComparisonDocument.self)
        try expectRoundTrip(try space.run(["dataset", "show", "odd", "--json", "--samples"]), as: DatasetDocument.self)
        try expectRoundTrip(try space.run(["drift", "list", "churn@2", "--json"]), as: DriftListDocument.self)
        try expectRoundTrip(try space.run(["verify", "--all", "--json"]), as: VerifyDocument.self)
        try expectRoundTrip(try space.run(["show", "churn@9", "--json"]), as: ErrorDocument.self)
        let odd = try space.run(["dataset", "show", "odd", "--json"])
        #expect(odd.stdout.contains("\"invalid_utf8_values\" : 1"), "the odd row is counted: \(odd.stdout)")
    }
}
