import Foundation
import RegistryTestSupport
import Testing

/// `mreg drift` and `mreg dataset add` through `mreg serve`: the new data goes with the drift
/// call and is read by its own name; a dataset is fingerprinted and profiled where it is, and
/// only what that produced is sent. Real server and client processes on loopback.
@Suite struct DatasetsThroughServerTests {
    @Test func driftReadsTheClientsDataAndPrintsWhatTheFolderPrints() throws {
        let space = try DriftCommandTests().trained()
        try writeSyntheticData(space.directory.url("stable.csv"), seed: 101)
        try writeSyntheticData(space.directory.url("shifted.csv"), seed: 102, shift: 0.5)
        let reader = try space.run(["token", "create", "dashboards", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        defer { _ = server.stop() }
        let before = try registrySnapshot(space.registry)
        for arguments in [
            ["drift", "churn@1", "--data", "stable.csv"], ["drift", "churn@1", "--data", "shifted.csv"], ["drift", "churn@1", "--data", "shifted.csv", "--json"],
            ["drift", "churn@1", "--data", "stable.csv", "--against", "holdout"], ["drift", "churn@1", "--data", "missing.csv"],
            ["drift", "churn@1", "--data", "m"],
        ] {
            let remote = try mreg(arguments + ["--registry", server.url], in: space.path, environment: ["MREG_TOKEN": reader])
            let local = try space.run(arguments)
            #expect(remote.status == local.status, "\(arguments): \(remote.stderr) vs \(local.stderr)")
            #expect(remote.stdout == local.stdout, "\(arguments): stdout differs:\n\(remote.stdout)\n---\n\(local.stdout)")
            #expect(remote.stderr == local.stderr, "\(arguments): \(remote.stderr) vs \(local.stderr)")
        }
        #expect(try registrySnapshot(space.registry) == before, "drift records nothing")
        // The file the call names must follow it; the server reads no path of its own.
        let bare = try server.request("/v1/drift?ref=churn@1&data=/etc/passwd", token: reader, method: "POST", body: "{}")
        #expect(bare.status == 400 && bare.body.contains("no file follows the document"), "\(bare)")
        try writeFile(space.directory.url("body.csv"), "x,y\n1,2\n")
        let escaping = try server.request(
            "/v1/drift?ref=churn@1&data=../../x.csv", token: reader, method: "POST", bodyFile: space.directory.url("body.csv"),
            headers: ["Mreg-Document-Length: 0"])
        #expect(escaping.status == 400 && escaping.body.contains("is not a file name"), "\(escaping)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: space.registry + "/tmp/uploads").isEmpty, "no spooled file is left")
    }

    /// A reader may call drift, so the file a call sends is bounded (`--attachment-limit`): one
    /// over it is refused before it is read (413), and nothing is spooled.
    @Test func aFileOverTheAttachmentLimitIsRefusedUnread() throws {
        let space = try DriftCommandTests().trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 103)
        let limit = try FileManager.default.attributesOfItem(atPath: space.directory.url("today.csv"))[.size] as! Int
        try writeFile(space.directory.url("bigger.csv"), try readFile(space.directory.url("today.csv")) + Array("\n".utf8))
        let reader = try space.run(["token", "create", "dashboards", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--attachment-limit", "\(limit)"])
        defer { _ = server.stop() }
        func drift(_ file: String) throws -> ProcessResult {
            try mreg(["drift", "churn@1", "--data", file, "--registry", server.url], in: space.path, environment: ["MREG_TOKEN": reader])
        }
        let refused = try drift("bigger.csv")
        #expect(refused.status == 64 && refused.stdout.isEmpty, "\(refused.stderr)")
        #expect(
            refused.stderr == "error: the attached file has \(limit + 1) bytes; this server takes files of at most \(limit) bytes; "
                + "send a sample of the data, or ask the server's operator to raise mreg serve --attachment-limit\n", "\(refused.stderr)")
        let raw = try server.request(
            "/v1/drift?ref=churn@1&data=bigger.csv", token: reader, method: "POST", bodyFile: space.directory.url("bigger.csv"),
            headers: ["Mreg-Document-Length: 0"])
        #expect(raw.status == 413, "\(raw)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: space.registry + "/tmp/uploads")) ?? []).isEmpty, "nothing was spooled")
        // A file of the limit's size is answered as the folder answers it.
        let (remote, local) = (try drift("today.csv"), try space.run(["drift", "churn@1", "--data", "today.csv"]))
        #expect(remote.status == local.status && remote.stdout == local.stdout, "\(remote.stderr)")
        let sizes = try mreg(["serve", "--attachment-limit", "12 parsecs", "--registry", space.registry], in: space.path)
        #expect(sizes.status == 64 && sizes.stderr.contains("--attachment-limit '12 parsecs' is not a size"), "\(sizes.stderr)")
    }

    @Test func datasetAddSendsTheFingerprintAndProfilesNotTheData() throws {
        let served = try ServerClientTests.Served()
        let writer = try served.direct(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
        try writeFile(served.space.directory.url("eval/part-1.csv"), "age,income\n31,4000\n45,5200\n")
        try writeFile(served.space.directory.url("eval/part-2.csv"), "age,income\n52,6100\n")
        let added = try served.client(["dataset", "add", "eval-2026", "eval", "--json"], token: writer)
        #expect(added.status == 0, "\(added.stderr)")
        try expectValid(added, schema: "dataset-add")
        let again = try served.direct(["dataset", "add", "eval-2026", "eval"])
        #expect(again.status == 0 && again.stdout.hasPrefix("unchanged (already recorded): dataset eval-2026"), "\(again.stdout)")
        let shown = try served.client(["dataset", "show", "eval-2026"], token: writer)
        let shownHere = try served.direct(["dataset", "show", "eval-2026"])
        #expect(shown.stdout == shownHere.stdout && shown.stdout.contains("part-2.csv"), "\(shown.stdout)")
        // The data itself was not sent: the registry stores no blob of it.
        let hexes = try storedBlobHexes(served.space.registry)
        #expect(!hexes.contains(sha256Hex("age,income\n52,6100\n")), "the dataset's files are not stored")
        let text = try served.client(["dataset", "add", "eval-2026", "eval"], token: writer)
        #expect(text.status == 0 && text.stdout == again.stdout, "\(text.stdout) vs \(again.stdout)")
        let before = try registrySnapshot(served.space.registry)
        for arguments in [["dataset", "add", "Bad Name", "eval"], ["dataset", "add", "x", "nowhere"]] {
            let (remote, local) = (try served.client(arguments, token: writer), try served.direct(arguments))
            #expect(remote.status == local.status && remote.stderr == local.stderr, "\(arguments): \(remote.stderr) vs \(local.stderr)")
        }
        let forged = try served.server.request(
            "/v1/dataset/add?name=forged", token: writer, method: "POST",
            body: #"{"dataset": {"use": {"role": "forged", "sourcePath": "x", "stored": false, "fingerprint": {"digest": "sha256:\#(String(repeating: "a", count: 64))", "size": 1, "fileCount": 2, "isDirectory": false}}, "profiles": []}, "warnings": []}"#)
        #expect(forged.status == 400 && forged.body.contains("its fingerprint does not match its files"), "\(forged)")
        #expect(try registrySnapshot(served.space.registry) == before, "a refusal changed the registry")
        #expect(served.server.stop().status == 0)
    }
}
