import Foundation
import RegistryTestSupport
import Testing

/// `mreg register --registry http://…`: files hashed where they are, only missing blobs
/// uploaded (streamed, re-hashed by the server), then one commit; real server and client
/// processes on loopback.
@Suite struct RegisterThroughServerTests {
    /// The twin of a registration on the folder: the same version (digest, files, datasets,
    /// metrics), the same output, and the token recorded as who registered it.
    @Test func aRegistrationThroughTheServerIsTheOneOnTheFolder() throws {
        let local = try CLIWorkspace()
        let remote = try CLIWorkspace()
        let admin = try remote.run(["token", "create", "ci", "--role", "admin", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: remote.registry, in: remote.path)
        for space in [local, remote] {
            try writeFile(space.directory.url("model/weights.bin"), String(repeating: "w", count: 300_000))
            try writeFile(space.directory.url("model/config.json"), #"{"layers": 3}"#)
            try writeFile(space.directory.url("train/part-1.csv"), "age,income\n31,4000\n45,5200\n")
            try writeFile(space.directory.url("holdout.csv"), "age,income\n29,3900\n")
        }
        let arguments = [
            "register", "churn", "model", "--no-git", "--param", "lr=0.1", "--metric", "holdout.auc=0.91", "--dataset", "train=train",
            "--dataset", "holdout=holdout.csv", "--store-datasets", "--label", "team=risk",
        ]
        let direct = try local.run(arguments)
        let served = try mreg(arguments + ["--registry", server.url], in: remote.path, environment: ["MREG_TOKEN": admin])
        #expect(served.status == 0 && direct.status == 0, "\(served.stderr) \(direct.stderr)")
        #expect(served.stdout == direct.stdout, "\(served.stdout)\n---\n\(direct.stdout)")
        #expect(served.stderr == direct.stderr)
        // Again: nothing to upload, the existing version.
        let again = try mreg(arguments + ["--registry", server.url, "--json"], in: remote.path, environment: ["MREG_TOKEN": admin])
        #expect(again.status == 0, "\(again.stderr)")
        try expectValid(again, schema: "register")
        #expect(try again.json()["created"] as? Bool == false)

        let shown = try remote.run(["show", "churn@1", "--json"]).json()
        let twin = try local.run(["show", "churn@1", "--json"]).json()
        func canonical(_ value: Any?) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        for key in ["digest", "files", "datasets", "metrics", "params", "labels", "size"] {
            #expect(try canonical(shown[key]) == canonical(twin[key]), "\(key) differs")
        }
        #expect((shown["registered_by"] as? [String: Any])?["user"] as? String == "ci")
        let verified = try remote.run(["verify", "--all"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(server.stop().status == 0)
    }

    /// A blob collected by `gc` between its upload and the commit makes the commit a 409; the
    /// client asks again what the server lacks, uploads that again, and the commit lands.
    @Test func aBlobCollectedBeforeTheCommitIsUploadedAgain() throws {
        let space = try CLIWorkspace()
        let admin = try space.run(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        let size = 1 << 20
        #expect(try run("/bin/sh", ["-c", "mkdir model && head -c \(size) /dev/urandom > model/w.bin"], in: space.path).status == 0)
        let (client, out, _) = try launch(
            mregExecutable, ["register", "churn", "model", "--no-git", "--json", "--registry", server.url], in: space.path,
            environment: ["MREG_TOKEN": admin, "MREG_TEST_COMMIT_AFTER": space.directory.url("collected")])
        // Once the upload is in, and while the client holds its commit back, gc collects it.
        let deadline = Date().addingTimeInterval(60)
        func uploaded() throws -> Int {
            let metrics = try server.request("/metrics").body
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("mreg_uploaded_bytes_total ") }
            return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
        while try uploaded() < size, Date() < deadline { usleep(50_000) }
        let collected = try mreg(["gc", "--json"], in: space.path, environment: ["MREG_OCI_GC_GRACE": "0"])
        #expect(collected.status == 0, "\(collected.stderr)")
        #expect((try collected.json()["unreferenced_blobs"] as? [String])?.count == 1, "\(collected.stdout)")
        try writeFile(space.directory.url("collected"), "")
        let answer = out.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        #expect(client.terminationStatus == 0)
        let document = try ProcessResult(status: 0, stdout: String(decoding: answer, as: UTF8.self), stderr: "").json()
        #expect(document["created"] as? Bool == true && document["bytes_stored"] as? Int == 2 * size, "uploaded twice: \(document)")
        #expect(try uploaded() == 2 * size)
        let verified = try space.run(["verify", "--all"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(server.stop().status == 0)
    }

    /// A client killed mid-upload leaves the blobs it finished; run again, it uploads only
    /// what the server still lacks, and the version verifies.
    @Test func anInterruptedRegistrationResumesWithWhatIsMissing() throws {
        let space = try CLIWorkspace()
        let admin = try space.run(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        try writeFile(space.directory.url("model/a.bin"), "small first file")
        #expect(try run("/bin/sh", ["-c", "head -c \(64 << 20) /dev/urandom > model/b.bin"], in: space.path).status == 0)
        let environment = ["MREG_TOKEN": admin]
        let (client, _, _) = try launch(mregExecutable, ["register", "churn", "model", "--no-git", "--registry", server.url], in: space.path, environment: environment)
        // Killed while the second blob is arriving: more than 1 MiB of a body has come (the
        // first, 16 bytes, was stored before its upload began). Watched in this process, so the
        // kill lands while most of its 64 MiB are still to come, however loaded the machine is.
        let deadline = Date().addingTimeInterval(60)
        while try bytesArriving(server) < 1 << 20, Date() < deadline { usleep(500) }
        kill(client.processIdentifier, SIGKILL)
        client.waitUntilExit()
        #expect(try space.run(["list", "churn"]).status != 0, "no version from a killed registration")
        let missing = try server.request("/v1/blobs/missing", token: admin, method: "POST", body: try blobList(space, ["a.bin", "b.bin"]))
        #expect(missing.status == 200, "\(missing.body)")
        let left = try ProcessResult(status: 0, stdout: missing.body, stderr: "").json()["missing"] as! [String]
        #expect(left.count == 1 && !left.contains("sha256:" + sha256Hex("small first file")), "the finished blob is kept: \(left)")
        let before = try uploadedBytes(server)
        let resumed = try mreg(["register", "churn", "model", "--no-git", "--registry", server.url], in: space.path, environment: environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try uploadedBytes(server) - before == 64 << 20, "only what was missing is uploaded again")
        #expect(try space.run(["verify", "--all"]).status == 0)
        #expect(server.stop().status == 0)
    }

    /// The server killed with -9 mid-upload: no version and no blob (a blob folder's spool file
    /// is removed when the next server starts; an OCI upload session is never committed), and
    /// the same registration through that server completes.
    @Test func aServerKilledMidUploadLeavesNoPartialVersion() throws {
        let space = try CLIWorkspace()
        let admin = try space.run(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
        try writeFile(space.directory.url("model/w.bin"), String(repeating: "x", count: 8 << 20))
        let before = try registrySnapshot(space.registry)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        let digest = "sha256:" + sha256Hex(String(repeating: "x", count: 8 << 20))
        // A slow client (curl at 1 MiB/s), so the kill lands while bytes are arriving.
        let (curl, _, _) = try launch("/usr/bin/env", [
            "curl", "-s", "-X", "PUT", "--limit-rate", "1M", "-H", "Authorization: Bearer \(admin)", "--data-binary", "@model/w.bin",
            server.url + "/v1/blobs/" + digest,
        ], in: space.path)
        let deadline = Date().addingTimeInterval(30)
        while try bytesArriving(server) < 1 << 20, Date() < deadline { usleep(10_000) }
        let arriving = try bytesArriving(server)
        #expect(arriving >= 1 << 20 && arriving < 8 << 20, "the upload is arriving: \(arriving) bytes")
        let spool = space.registry + "/tmp/uploads"
        let spooled = ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasSuffix(".upload") }
        // A blob folder's upload is spooled to disk first; an OCI store's goes on as it arrives.
        #expect(spooled.count == (TestBackend.isOCI ? 0 : 1), "spool files: \(spooled)")
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        curl.waitUntilExit()
        // A blob the dead server was copying for a download (a remote store's), and one a live process is.
        try writeFile("\(spool)/\(server.process.processIdentifier)-1.download", "partial")
        try writeFile("\(spool)/\(getpid())-2.download", "in use")
        let restarted = try ServerProcess(registry: space.registry, in: space.path)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []) == ["\(getpid())-2.download"], "the dead server's spool files are removed")
        try FileManager.default.removeItem(atPath: "\(spool)/\(getpid())-2.download")
        #expect(try registrySnapshot(space.registry) == before, "nothing recorded or stored")
        let registered = try mreg(["register", "churn", "model", "--no-git", "--registry", restarted.url], in: space.path, environment: ["MREG_TOKEN": admin])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(try space.run(["verify", "--all"]).status == 0)
        #expect(restarted.stop().status == 0)
    }

    /// Uploads and registrations no client should send: a 4xx with the error document, nothing stored.
    @Test func badUploadsAndRegistrationsAreRefused() throws {
        let space = try CLIWorkspace()
        let writer = try space.run(["token", "create", "ci", "--role", "writer", "--models", "churn", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let reader = try space.run(["token", "create", "viewer", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        try writeFile(space.directory.url("w.bin"), "weights")
        let before = try registrySnapshot(space.registry)
        let good = "sha256:" + sha256Hex("weights")
        let wrong = "sha256:" + sha256Hex("other")
        for (path, token, status, text) in [
            ("/v1/blobs/\(wrong)", writer, 400, "the uploaded bytes hash to \(good), not \(wrong)"),
            ("/v1/blobs/sha256:abc", writer, 400, "is not a blob digest"),
            ("/v1/blobs/\(good)", reader, 403, "needs the writer role"),
        ] {
            let answer = try server.upload(path, file: space.directory.url("w.bin"), token: token)
            #expect(answer.status == status && answer.body.contains(text), "\(path): \(answer)")
        }
        let entry = #"{"path": "PATH", "digest": "\#(good)", "size": 7, "executable": false}"#
        func registration(model: String = "churn", path: String = "w.bin") -> String {
            #"{"bytesUploaded": 0, "warnings": [], "registration": {"model": "\#(model)", "files": [\#(entry.replacingOccurrences(of: "PATH", with: path))], "params": {}, "metrics": [], "labels": {}, "datasets": [], "registrant": {"user": "u", "host": "h"}}}"#
        }
        for (body, status, text) in [
            (registration(), 409, "not stored"), (registration(path: "../../etc/passwd"), 400, "has an empty, '.' or '..' part"),
            (registration(path: "/etc/passwd"), 400, "is absolute"), (registration(model: "fraud"), 403, "not on 'fraud'"),
            ("{\"registration\": 3}", 400, "the request body is not a registration"),
        ] {
            let answer = try server.request("/v1/register", token: writer, method: "POST", body: body)
            #expect(answer.status == status && answer.body.contains(text), "\(body): \(answer)")
            try expectValid(ProcessResult(status: 0, stdout: answer.body, stderr: ""), schema: "error")
        }
        #expect(try registrySnapshot(space.registry) == before, "a refused upload or registration changed the registry")
        // Stored, then sent again: the same blob (200), and other bytes under its digest are
        // still refused, though nothing would be stored either way.
        try writeFile(space.directory.url("same-size.bin"), "weighs!")
        for (file, status, text) in [
            ("w.bin", 201, #""new" : true"#), ("w.bin", 200, #""new" : false"#), ("same-size.bin", 400, "the uploaded bytes hash to"),
        ] {
            let answer = try server.upload("/v1/blobs/\(good)", file: space.directory.url(file), token: writer)
            #expect(answer.status == status && answer.body.contains(text), "\(file): \(answer)")
        }
        #expect(try space.run(["verify", "--all"]).status == 0)
        #expect(server.stop().status == 0)
    }

    /// 200 client processes register one model at once through the server: all succeed, and
    /// the versions are numbered 1 to 200 with no gap.
    @Test func twoHundredConcurrentRegistrationsAreGapFree() throws {
        let space = try CLIWorkspace()
        let writer = try space.run(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        for index in 1...200 { try writeFile(space.directory.url("m\(index)/w.bin"), "weights \(index)") }
        let clients = try (1...200).map { index in
            try launch(mregExecutable, ["register", "churn", "m\(index)", "--no-git", "-q", "--registry", server.url], in: space.path,
                       environment: ["MREG_TOKEN": writer]).0
        }
        for client in clients { client.waitUntilExit() }
        #expect(clients.allSatisfy { $0.terminationStatus == 0 }, "\(clients.filter { $0.terminationStatus != 0 }.count) failed")
        let versions = try space.run(["list", "churn", "--all", "--json"]).json()["versions"] as! [[String: Any]]
        #expect(versions.compactMap { $0["version"] as? Int }.sorted() == Array(1...200))
        #expect(try space.run(["verify", "--all"]).status == 0)
        #expect(server.stop().status == 0)
    }

    private func uploadedBytes(_ server: ServerProcess) throws -> Int {
        let metrics = try server.request("/metrics").body
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("mreg_uploaded_bytes_total ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// The bytes of request bodies still arriving at the server.
    private func bytesArriving(_ server: ServerProcess) throws -> Int { try server.metric("mreg_bodies_arriving_bytes") }

    private func blobList(_ space: CLIWorkspace, _ names: [String]) throws -> String {
        let blobs = try names.map { name -> String in
            let data = try Data(contentsOf: URL(fileURLWithPath: space.directory.url("model/" + name)))
            return #"{"digest": "sha256:\#(sha256Hex(data))", "size": \#(data.count)}"#
        }
        return #"{"blobs": [\#(blobs.joined(separator: ", "))]}"#
    }
}
