import Foundation
import OCIBlobStore
import RegistryTestSupport
import Testing

/// A registry whose blobs live in an OCI registry (docker-registry on loopback, started by
/// scripts/test): what skopeo fetches without mreg, what verify and gc do there, and what a user
/// sees when the registry refuses, stops, or is cut off in the middle of an upload.
@Suite struct OCIBackendTests {
    /// The registry's host:port and repository prefix, from its `oci://` address.
    private func parts(_ address: String) throws -> (host: String, prefix: String) {
        let rest = address.replacingOccurrences(of: "oci://", with: "")
        let slash = try #require(rest.firstIndex(of: "/"))
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }

    @Test func skopeoFetchesAPublishedVersionWhoseDigestsMatchShow() throws {
        let space = TemporaryDirectory()
        let address = try TestBackend.newOCIAddress()
        let created = try mreg(["init", "registry", "--blobs", address, "--json"], in: space.path)
        #expect(created.status == 0, "\(created.stderr)")
        try expectValid(created, schema: "init")
        #expect(try created.json()["blobs"] as? String == address)
        var random = SeededGenerator(seed: 42)
        try writeFile(space.url("m/weights.bin"), random.bytes(5 << 20))
        try writeFile(space.url("m/tokenizer/vocab.txt"), "a\nb\n")
        try writeFile(space.url("m/serve.sh"), Array("#!/bin/sh\n".utf8), executable: true)
        let registered = try mreg(["register", "churn", "m", "--no-git", "--param", "lr=0.1"], in: space.path)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.url("registry/blobs")), "no blob folder beside the configuration")
        #expect(!FileManager.default.fileExists(atPath: space.url("registry/tmp")))

        let shown = try mreg(["show", "churn@1", "--json"], in: space.path)
        let document = try shown.json()
        let files = try #require(document["files"] as? [[String: Any]])
        let expected = Dictionary(uniqueKeysWithValues: files.map { ($0["path"] as! String, $0["digest"] as! String) })

        let (host, prefix) = try parts(address)
        let fetched = try run(
            "/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(host)/\(prefix)/churn:v1", "oci:\(space.url("image"))"], in: space.path)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: space.url("image/index.json")))) as! [String: Any]
        let manifestDigest = try #require(((index["manifests"] as? [[String: Any]])?.first?["digest"] as? String))
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: space.url("image/blobs/sha256/" + manifestDigest.dropFirst(7))))) as! [String: Any]
        #expect(manifest["artifactType"] as? String == "application/vnd.mreg.model.v1")
        let config = try #require(manifest["config"] as? [String: Any])
        #expect(config["digest"] as? String == document["digest"] as? String, "the config is the version's manifest")
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        var published = [String: String]()
        for layer in layers {
            let annotations = try #require(layer["annotations"] as? [String: String])
            let path = try #require(annotations["org.opencontainers.image.title"])
            let digest = try #require(layer["digest"] as? String)
            published[path] = digest
            #expect(annotations["vnd.mreg.file.mode"] == (path == "serve.sh" ? "0755" : "0644"))
            // The bytes skopeo wrote hash to the digest, by an independent implementation.
            let hashed = try run("/usr/bin/sha256sum", [space.url("image/blobs/sha256/" + digest.dropFirst(7))], in: "/")
            #expect("sha256:" + hashed.stdout.prefix(64) == digest)
        }
        #expect(published == expected)
        try assertRegistryConsistent(space.url("registry"))
    }

    /// A deleted version's image is removed from the OCI registry, so that a deploy job without
    /// mreg cannot fetch it either; undelete publishes it again.
    @Test func aDeletedVersionsImageIsRemovedAndUndeletePublishesItAgain() throws {
        let space = TemporaryDirectory()
        let address = try TestBackend.newOCIAddress()
        #expect(try mreg(["init", "registry", "--blobs", address], in: space.path).status == 0)
        for weights in ["weights one", "weights two"] {
            try writeFile(space.url("m/w.bin"), weights)
            #expect(try mreg(["register", "churn", "m", "--no-git"], in: space.path).status == 0)
        }
        let (host, prefix) = try parts(address)
        func image(_ tag: String) throws -> ProcessResult {
            try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "--raw", "docker://\(host)/\(prefix)/churn:\(tag)"], in: space.path)
        }
        let digest = try #require((try mreg(["show", "churn@1", "--json"], in: space.path).json()["files"] as? [[String: Any]])?.first?["digest"] as? String)
        #expect(try image("v1").stdout.contains(digest))

        let deleted = try mreg(["delete", "churn@1", "--reason", "trained on leaked data"], in: space.path)
        #expect(deleted.status == 0 && !deleted.stderr.contains("stays"), "\(deleted.stderr)")
        let gone = try image("v1")
        #expect(gone.status != 0 && gone.stderr.contains("manifest unknown"), "\(gone.stderr)")
        #expect(try image("v2").status == 0, "the other version's image stays")
        #expect(try mreg(["delete", "churn@1", "--reason", "again"], in: space.path).status == 0, "nothing left to remove")

        let restored = try mreg(["undelete", "churn@1"], in: space.path)
        #expect(restored.status == 0, "\(restored.stderr)")
        let back = try image("v1")
        #expect(back.status == 0 && back.stdout.contains(digest), "\(back.stderr)")
        try assertRegistryConsistent(space.url("registry"))
    }

    @Test func aBlobAlteredInTheRegistryFailsVerifyAndExport() throws {
        let space = TemporaryDirectory()
        #expect(try mreg(["init", "registry", "--blobs", try TestBackend.newOCIAddress()], in: space.path).status == 0)
        try writeFile(space.url("m/w.bin"), "original weights")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: space.path).status == 0)
        let digest = try #require((try mreg(["show", "churn@1", "--json"], in: space.path).json()["files"] as? [[String: Any]])?.first?["digest"] as? String)
        try alterStoredBlob(space.url("registry"), hex: String(digest.dropFirst(7)), to: "altered weights!")

        let verified = try mreg(["verify", "--all"], in: space.path)
        #expect(verified.status == 5 && verified.stdout.contains(digest) && verified.stdout.contains("corrupt"), "\(verified.stdout)\(verified.stderr)")
        let exported = try mreg(["export", "churn@1", "out"], in: space.path)
        #expect(exported.status == 5 && exported.stderr.contains(digest), "\(exported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.url("out")), "no export left behind")
        try alterStoredBlob(space.url("registry"), hex: String(digest.dropFirst(7)), to: "original weights")
        #expect(try mreg(["verify", "--all"], in: space.path).status == 0)
    }

    /// gc deletes an unreferenced remote blob only once it is older than the grace period, since
    /// a registration on another machine may have stored it and not yet recorded its version.
    @Test func gcDeletesUnreferencedBlobsOnceTheyAreOlderThanTheGracePeriod() throws {
        let space = TemporaryDirectory()
        let address = try TestBackend.newOCIAddress()
        #expect(try mreg(["init", "registry", "--blobs", address], in: space.path).status == 0)
        try writeFile(space.url("m/w.bin"), "kept weights")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: space.path).status == 0)
        let store = OCIBlobStore(address: try OCIAddress(parsing: address), credentials: nil)
        let orphan = try store.ingest(bytes: Array("left by an interrupted registration".utf8)).digest

        let young = try mreg(["gc", "--json"], in: space.path)
        try expectValid(young, schema: "gc")
        #expect(try young.json()["kept_recent"] as? [String] == [orphan.description], "\(young.stdout)")
        #expect(try young.json()["unreferenced_blobs"] as? [String] == [])
        #expect(try store.listBlobs().blobs.contains(orphan))

        let collected = try mreg(["gc", "--json"], in: space.path, environment: ["MREG_OCI_GC_GRACE": "0"])
        #expect(try collected.json()["unreferenced_blobs"] as? [String] == [orphan.description], "\(collected.stdout)")
        #expect(!(try store.listBlobs().blobs.contains(orphan)))
        #expect(store.verify(orphan) == .missing)
        try assertRegistryConsistent(space.url("registry"))
    }

    @Test func aRegistryThatDoesNotAllowDeletionIsReportedNotFailed() throws {
        let space = TemporaryDirectory()
        let port = try startRegistry(space.url("oci"), deletion: false)
        defer { stopRegistry(space.url("oci")) }
        let address = "oci://127.0.0.1:\(port)/team"
        #expect(try mreg(["init", "registry", "--blobs", address], in: space.path).status == 0)
        let store = OCIBlobStore(address: try OCIAddress(parsing: address), credentials: nil)
        let orphan = try store.ingest(bytes: Array("orphan".utf8)).digest
        let result = try mreg(["gc"], in: space.path, environment: ["MREG_OCI_GC_GRACE": "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("deleted nothing") && result.stdout.contains("deletion is disabled"), "\(result.stdout)")
        #expect(try store.listBlobs().blobs.contains(orphan))

        // A deleted version's image stays there: the deletion is recorded, and the note says so.
        try writeFile(space.url("m/w.bin"), "weights")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: space.path).status == 0)
        let deleted = try mreg(["delete", "churn@1", "--reason", "superseded"], in: space.path)
        #expect(deleted.status == 0 && deleted.stdout.contains("deleted: churn@1"), "\(deleted.stderr)")
        #expect(deleted.stderr.contains("churn@1's OCI image stays fetchable") && deleted.stderr.contains("deletion is disabled"), "\(deleted.stderr)")
        let kept = try run("/usr/bin/env", ["skopeo", "inspect", "--tls-verify=false", "--raw", "docker://127.0.0.1:\(port)/team/churn:v1"], in: space.path)
        #expect(kept.status == 0, "\(kept.stderr)")
    }

    /// The registry stops between commands, and is cut off in the middle of an upload: the error
    /// names the engine and the address, nothing is recorded, and the same command completes
    /// once the registry is back.
    @Test func aRegistryThatStopsLosesNothingAndTheRetryCompletes() throws {
        let space = TemporaryDirectory()
        let port = try startRegistry(space.url("oci"))
        defer { stopRegistry(space.url("oci")) }
        let address = "oci://127.0.0.1:\(port)/team"
        #expect(try mreg(["init", "registry", "--blobs", address], in: space.path).status == 0)
        try writeFile(space.url("m/w.bin"), "first")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: space.path).status == 0)
        let before = try registrySnapshot(space.url("registry"))

        stopRegistry(space.url("oci"))
        try writeFile(space.url("m/w.bin"), "second")
        let down = try mreg(["register", "churn", "m", "--no-git"], in: space.path)
        #expect(down.status == 12, "\(down.stderr)")
        #expect(down.stderr.contains("the OCI registry at \(address) is unavailable"), "\(down.stderr)")
        #expect(down.stderr.split(separator: "\n").count == 1, "\(down.stderr)")
        let unverified = try mreg(["verify", "--all"], in: space.path)
        #expect(unverified.status == 12, "nothing is known about the blobs, so nothing is called corrupt: \(unverified.stdout)\(unverified.stderr)")

        // Cut off in the middle of a large upload.
        _ = try startRegistry(space.url("oci"), port: port)
        try FileManager.default.createDirectory(atPath: space.url("big"), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/env", ["truncate", "-s", "256M", space.url("big/w.bin")], in: "/").status == 0)
        let (upload, _, _) = try launch(mregExecutable, ["register", "big", "big", "--no-git"], in: space.path)
        try waitForUploadedBytes(in: space.url("oci/storage"), atLeast: 8 << 20)
        stopRegistry(space.url("oci"))
        upload.waitUntilExit()
        #expect(upload.terminationStatus == 12)

        _ = try startRegistry(space.url("oci"), port: port)
        #expect(try registrySnapshot(space.url("registry")) == before, "nothing recorded while the registry was away")
        let retried = try mreg(["register", "churn", "m", "--no-git"], in: space.path)
        #expect(retried.status == 0 && retried.stdout.contains("churn@2"), "\(retried.stderr)")
        let big = try mreg(["register", "big", "big", "--no-git"], in: space.path)
        #expect(big.status == 0 && big.stdout.contains("big@1"), "\(big.stderr)")
        try assertRegistryConsistent(space.url("registry"))
    }

    @Test func badAddressesAreRefusedBeforeAnythingIsWritten() throws {
        let space = TemporaryDirectory()
        let cases: [([String], String)] = [
            (["--blobs", "oci://robot:s3cret@127.0.0.1:5000/team"], "credentials"),
            (["--blobs", "oci://127.0.0.1:5000/Team"], "prefix component 'Team'"),
            (["--blobs", "https://127.0.0.1:5000/team"], "oci://"),
            (["--insecure"], "--insecure applies to --blobs"),
        ]
        for (arguments, message) in cases {
            // Run as given: the suite's own additions to init would hide the mistakes.
            let result = try run(mregExecutable, ["init", "registry"] + arguments, in: space.path)
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("s3cret"))
            #expect(!FileManager.default.fileExists(atPath: space.url("registry/registry.json")))
        }
        let closed = "oci://127.0.0.1:\(try TestBackend.unusedPort())/team"
        let nowhere = try run(mregExecutable, ["init", "registry", "--blobs", closed], in: space.path)
        #expect(nowhere.status == 12 && nowhere.stderr.contains(closed), "\(nowhere.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.url("registry/registry.json")), "no registry left behind")
    }

    /// A model name the OCI registry does not accept as a repository is stored, not published.
    @Test func aNameTheRegistryRefusesIsStoredAndNotPublished() throws {
        let space = TemporaryDirectory()
        #expect(try mreg(["init", "registry", "--blobs", try TestBackend.newOCIAddress()], in: space.path).status == 0)
        try writeFile(space.url("m/w.bin"), "weights")
        let result = try mreg(["register", "churn-", "m", "--no-git"], in: space.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("not published as an OCI image"), "\(result.stderr)")
        try assertRegistryConsistent(space.url("registry"))
    }

    /// A registry that asks for credentials, by HTTP Basic and by Bearer tokens from a token
    /// service: they come from the environment or docker's config.json, are never printed, and
    /// wrong or missing ones are exit 12 with nothing recorded.
    @Test(arguments: ["--basic", "--token"])
    func credentialsComeFromTheEnvironmentOrDockersConfig(_ scheme: String) throws {
        let space = TemporaryDirectory()
        let password = "pw-\(UInt64.random(in: 0...UInt64.max))"
        let port = try startRegistry(space.url("oci"), options: [scheme], password: password)
        defer { stopRegistry(space.url("oci")) }
        let address = "oci://127.0.0.1:\(port)/team"
        let anonymous = try mreg(["init", "registry", "--blobs", address], in: space.path)
        #expect(anonymous.status == 12 && anonymous.stderr.contains("requires credentials"), "\(anonymous.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.url("registry/registry.json")))

        let credentials = ["MREG_OCI_USERNAME": "robot", "MREG_OCI_PASSWORD": password]
        try writeFile(space.url("m/w.bin"), "weights \(scheme)")
        for arguments in [["init", "registry", "--blobs", address], ["register", "churn", "m", "--no-git"], ["verify", "--all"], ["export", "churn@1", "out"]] {
            let result = try mreg(arguments, in: space.path, environment: credentials)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains(password))
        }
        #expect(!(try String(contentsOfFile: space.url("registry/registry.json"), encoding: .utf8)).contains(password))

        let wrong = try mreg(["verify", "--all"], in: space.path, environment: ["MREG_OCI_USERNAME": "robot", "MREG_OCI_PASSWORD": "not-it"])
        #expect(wrong.status == 12 && wrong.stderr.contains("credentials") && !wrong.stderr.contains("not-it"), "\(wrong.stderr)")

        // docker login's file, as skopeo login --authfile writes it.
        let auth = Data("robot:\(password)".utf8).base64EncodedString()
        try writeFile(space.url("docker/config.json"), "{\"auths\": {\"127.0.0.1:\(port)\": {\"auth\": \"\(auth)\"}}}")
        try writeFile(space.url("m/w.bin"), "weights \(scheme) 2")
        let fromFile = try mreg(["register", "churn", "m", "--no-git"], in: space.path, environment: ["DOCKER_CONFIG": space.url("docker")])
        #expect(fromFile.status == 0 && fromFile.stdout.contains("churn@2"), "\(fromFile.stderr)")
        let fetched = try run(
            "/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "--src-creds", "robot:\(password)", "docker://127.0.0.1:\(port)/team/churn:v2", "oci:\(space.url("image"))"],
            in: space.path)
        #expect(fetched.status == 0, "\(fetched.stderr)")
    }

    // MARK: A private registry

    private func startRegistry(_ folder: String, port: Int? = nil, deletion: Bool = true, options: [String] = [], password: String = "") throws -> Int {
        var arguments = ["start", folder, String(try port ?? TestBackend.unusedPort())] + options
        if !deletion { arguments.append("--no-delete") }
        let started = try run("\(repositoryRoot)/scripts/oci-registry", arguments, in: "/", environment: ["MREG_OCI_TEST_PASSWORD": password])
        guard started.status == 0, let value = Int(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("cannot start an OCI registry: \(started.stderr)")
        }
        return value
    }

    private func stopRegistry(_ folder: String) {
        _ = try? run("\(repositoryRoot)/scripts/oci-registry", ["stop", folder], in: "/")
    }

    /// Waits until an upload in progress holds at least `bytes` in the registry's storage.
    private func waitForUploadedBytes(in storage: String, atLeast bytes: Int) throws {
        for _ in 0..<3000 {
            let sizes = try run("/usr/bin/env", ["sh", "-c", "cat $(find '\(storage)' -path '*_uploads*' -name data) 2>/dev/null | wc -c"], in: "/")
            if let size = Int(sizes.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), size >= bytes { return }
            usleep(20_000)
        }
        throw TestFailure("no upload reached \(bytes) bytes")
    }
}
