import Foundation
import RegistryTestSupport
import Testing

/// `mreg export` through `mreg serve`: the manifest and every file are downloaded, re-hashed and
/// renamed into place as a local export is. Real server and client processes on loopback.
@Suite struct ExportThroughServerTests {
    /// A model of a nested executable script and a 3 MiB weights file, registered on the folder.
    static func bundle(in served: ServerClientTests.Served) throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let weights = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try FileManager.default.createDirectory(atPath: served.space.directory.url("bundle/bin"), withIntermediateDirectories: true)
        try Data(weights).write(to: URL(fileURLWithPath: served.space.directory.url("bundle/weights.bin")))
        try writeFile(served.space.directory.url("bundle/bin/run.sh"), "#!/bin/sh\necho serving\n")
        chmod(served.space.directory.url("bundle/bin/run.sh"), 0o755)
        #expect(try served.direct(["register", "bundle", "bundle", "--no-git", "-q"]).status == 0)
        return weights
    }

    /// The same tree, receipt and output as an export on the folder, executable bits included.
    @Test func exportWritesWhatTheFolderExportWrites() throws {
        let served = try ServerClientTests.Served()
        let weights = try Self.bundle(in: served)
        let remote = try served.client(["export", "bundle@1", "remote/model", "--receipt", "remote.json"])
        let local = try served.direct(["export", "bundle@1", "local/model", "--receipt", "local.json"])
        #expect(remote.status == 0 && local.status == 0, "\(remote.stderr) \(local.stderr)")
        #expect(remote.stdout.replacingOccurrences(of: "remote/model", with: "local/model") == local.stdout, "\(remote.stdout) vs \(local.stdout)")
        let root = served.space.directory
        #expect(try Data(contentsOf: URL(fileURLWithPath: root.url("remote/model/weights.bin"))) == Data(weights))
        #expect(try readFile(root.url("remote/model/bin/run.sh")) == Array("#!/bin/sh\necho serving\n".utf8))
        #expect(FileManager.default.isExecutableFile(atPath: root.url("remote/model/bin/run.sh")))
        #expect(!FileManager.default.isExecutableFile(atPath: root.url("remote/model/weights.bin")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.url("remote")) == ["model"], "no staging folder is left")
        func receipt(_ name: String) throws -> [String: String] {
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root.url(name)))) as! [String: Any]
            let files = try JSONSerialization.data(withJSONObject: document["files"]!, options: [.sortedKeys])
            return ["digest": document["digest"] as! String, "reference": document["reference"] as! String,
                    "files": String(decoding: files, as: UTF8.self)]
        }
        #expect(try receipt("remote.json") == receipt("local.json"))

        // --json answers the export document; a non-empty destination is refused (exit 3) untouched.
        let json = try served.client(["export", "bundle", "again", "--json"])
        try expectValid(json, schema: "export")
        let refused = try served.client(["export", "bundle@1", "remote/model"])
        #expect(refused.status == 3 && refused.stderr.contains("exists and is not empty"), "\(refused.stderr)")
        let unknown = try served.client(["export", "bundle@7", "seven"])
        let unknownHere = try served.direct(["export", "bundle@7", "seven"])
        #expect(unknown.status == 2 && unknown.stderr == unknownHere.stderr, "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.url("seven")))
        #expect(served.server.stop().status == 0)
    }

    /// The token's model grant holds for downloads; the blob endpoint serves only blobs of the
    /// version named, and says what is wrong with a request in one error document.
    @Test func downloadsAreLimitedToTheTokensModelsAndTheVersionsBlobs() throws {
        let served = try ServerClientTests.Served()
        _ = try Self.bundle(in: served)
        let other = try served.direct(["token", "create", "churn-reader", "--role", "reader", "--models", "churn", "-q"]).stdout
            .trimmingCharacters(in: .newlines)
        let forbidden = try served.client(["export", "bundle@1", "out"], token: other)
        #expect(forbidden.status == 4 && forbidden.stderr.contains("may act on models churn, not on 'bundle'"), "\(forbidden.stderr)")
        #expect(!FileManager.default.fileExists(atPath: served.space.directory.url("out")))
        #expect(try served.client(["export", "churn@1", "out"], token: other).status == 0)

        let show = try served.direct(["show", "bundle@1", "--json"]).json()
        let weights = (show["files"] as! [[String: Any]]).first { $0["path"] as! String == "weights.bin" }!["digest"] as! String
        let manifest = show["digest"] as! String
        let cases: [(path: String, token: String?, status: Int, text: String)] = [
            ("/v1/blobs/\(weights)?ref=bundle@1", nil, 401, "needs a token"),
            ("/v1/blobs/\(weights)?ref=bundle@1", other, 403, "not on 'bundle'"),
            ("/v1/blobs/\(weights)?ref=churn@1", served.admin, 404, "is not part of churn@1"),
            ("/v1/blobs/\(weights)", served.admin, 400, "names the one version"),
            ("/v1/blobs/\(weights)?ref=bundle@1&x=1", served.admin, 400, "takes no parameter 'x'"),
            ("/v1/blobs/sha256:abc?ref=bundle@1", served.admin, 400, "is not a blob digest"),
        ]
        for (path, token, status, text) in cases {
            let answer = try served.server.request(path, token: token)
            #expect(answer.status == status && answer.body.contains(text), "\(path): \(answer)")
        }
        let manifestAnswer = try served.server.request("/v1/blobs/\(manifest)?ref=bundle@1", token: served.admin)
        #expect(manifestAnswer.status == 200 && manifestAnswer.body.contains("weights.bin"), "\(manifestAnswer)")
        let metrics = try served.server.request("/metrics").body
        #expect(metrics.contains("route=\"/v1/blobs/{digest}\""), "downloads are counted under the endpoint's label")
        #expect(served.server.stop().status == 0)
    }

    /// A blob damaged in the server's store never yields a tree: the export fails and leaves
    /// neither the destination nor a staging folder.
    @Test(.enabled(if: !TestBackend.isOCI, "damages a blob in the local store's folder"))
    func aDamagedBlobNeverBecomesATree() throws {
        let served = try ServerClientTests.Served()
        _ = try Self.bundle(in: served)
        let show = try served.direct(["show", "bundle@1", "--json"]).json()
        let weights = (show["files"] as! [[String: Any]]).first { $0["path"] as! String == "weights.bin" }!["digest"] as! String
        let blob = served.space.registry + "/blobs/sha256/" + weights.dropFirst("sha256:".count)
        chmod(blob, 0o644)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: blob))
        try handle.seek(toOffset: 2 << 20)
        handle.write(Data("damage".utf8))
        try handle.close()
        let failed = try served.client(["export", "bundle@1", "serving/model"])
        #expect(failed.status == 12 && failed.stderr.split(separator: "\n").count == 1, "\(failed)")
        #expect(failed.stderr.contains("broke off /v1/blobs/\(weights) after"), "\(failed.stderr)")
        let serving = served.space.directory.url("serving")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: serving)) ?? [] == [], "nothing is left in serving/")
        let log = served.server.stop()
        #expect(log.status == 0 && log.stderr.contains("the body broke off: blob \(weights) is corrupt"), "the server's log names the failure")
    }
}
