import Foundation
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

/// A registry in a temp folder plus a workspace beside it, as a CI job has.
struct Workspace {
    let directory = TemporaryDirectory()
    var root: String { directory.url("registry") }
    var registry: Registry

    init() throws {
        registry = try TestBackend.initializeRegistry(at: directory.path + "/registry")
    }

    func request(_ model: String, _ paths: [String], git: RegistrationRequest.GitSource = .none) -> RegistrationRequest {
        RegistrationRequest(model: model, paths: paths, git: git, registrant: Registrant(user: "ci", host: "runner-1"), currentDirectory: directory.path)
    }

    func file(_ relative: String, _ text: String, executable: Bool = false) throws {
        try writeFile(directory.url(relative), Array(text.utf8), executable: executable)
    }
}

@Suite struct RegisterTests {
    @Test func recordsEverythingAndShowsItBack() throws {
        let space = try Workspace()
        try space.file("out/model/weights.bin", "weights")
        try space.file("out/model/bin/serve.sh", "#!/bin/sh\n", executable: true)
        try space.file("data/train.csv", "x,y\n1,0\n")
        try space.file("data/holdout/part-0.csv", "x,y\n2,1\n")
        try space.file("params.yaml", "lr: 0.01\nlayers: [64, 32]\noptimizer:\n  name: adam\n  beta: 0.9\nearly_stop: true\n")
        try space.file("eval.json", #"{"holdout": {"auc": 0.91, "log_loss": 0.3}, "latency_ms": 12}"#)
        var request = space.request("team/churn", ["out/model"])
        request.params = try InputParsing.paramsFile(space.directory.url("params.yaml"))
        request.params["seed"] = try InputParsing.param("seed=7").1
        request.metrics = try InputParsing.metricsFile(space.directory.url("eval.json"))
        request.datasets = [("train", "data/train.csv"), ("holdout", "data/holdout")]
        request.labels = ["owner": "risk"]
        request.description = "baseline"
        let outcome = try space.registry.register(request)
        #expect(outcome.created)
        let version = try space.registry.resolve(reference: "team/churn@1")
        #expect(version.files.map(\.path) == ["bin/serve.sh", "weights.bin"])
        #expect(version.files.map(\.executable) == [true, false])
        #expect(version.params["layers"] == .array([.integer(64), .integer(32)]))
        #expect(version.params["optimizer"] == .object(["name": .string("adam"), "beta": .number(0.9)]))
        #expect(version.params["early_stop"] == .bool(true))
        #expect(version.params["seed"] == .integer(7))
        #expect(version.metrics.map(\.key).sorted() == ["holdout.auc", "holdout.log_loss", "latency_ms"])
        #expect(version.labels == ["owner": "risk"])
        #expect(version.description == "baseline")
        #expect(version.registrant.user == "ci" && version.registrant.host == "runner-1")
        let train = try #require(version.datasets.first { $0.role == "train" })
        let sum = try run("/usr/bin/sha256sum", [space.directory.url("data/train.csv")], in: "/")
        #expect(train.fingerprint.digest.hex == String(sum.stdout.prefix(64)))
        #expect(!train.stored)
        let holdout = try #require(version.datasets.first { $0.role == "holdout" })
        #expect(holdout.fingerprint.isDirectory && holdout.fingerprint.fileCount == 1)
        try assertRegistryConsistent(space.root)
    }

    @Test func pathRulesMatchWhatExportRecreates() throws {
        let space = try Workspace()
        try space.file("model.onnx", "onnx")
        try space.file("tokenizer/vocab.txt", "a b c")
        let single = try space.registry.register(space.request("single", ["model.onnx"])).version
        #expect(single.files.map(\.path) == ["model.onnx"])
        let several = try space.registry.register(space.request("several", ["model.onnx", "tokenizer"])).version
        #expect(several.files.map(\.path) == ["model.onnx", "tokenizer/vocab.txt"])
        let folder = try space.registry.register(space.request("folder", ["tokenizer"])).version
        #expect(folder.files.map(\.path) == ["vocab.txt"])
        try assertRegistryConsistent(space.root)
    }

    @Test func identicalRegistrationReturnsTheExistingVersion() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        var request = space.request("churn", ["m"])
        request.params = ["lr": .number(0.1)]
        let first = try space.registry.register(request)
        let retry = try space.registry.register(request)
        #expect(first.created && !retry.created)
        #expect(retry.version.number == 1 && retry.bytesStored == 0)
        request.params["lr"] = .number(0.2)
        let changed = try space.registry.register(request)
        #expect(changed.created && changed.version.number == 2 && changed.bytesStored == 0)
        #expect(try space.registry.versions(of: "churn").versions.map(\.number) == [2, 1])
        try assertRegistryConsistent(space.root)
    }

    @Test func symlinksOutsideAndSpecialFilesAreRefusedAndNothingIsWritten() throws {
        let space = try Workspace()
        try space.file("secret.txt", "outside")
        try space.file("m/w.bin", "weights")
        try space.file("m/inner.bin", "inner")
        try FileManager.default.createSymbolicLink(atPath: space.directory.url("m/alias.bin"), withDestinationPath: "inner.bin")
        _ = try space.registry.register(space.request("inside", ["m"]))
        let before = try registrySnapshot(space.root)
        try FileManager.default.createSymbolicLink(atPath: space.directory.url("m/leak"), withDestinationPath: space.directory.url("secret.txt"))
        #expect(throws: RegistryError.self) { try space.registry.register(space.request("churn", ["m"])) }
        try FileManager.default.removeItem(atPath: space.directory.url("m/leak"))
        #expect(mkfifo(space.directory.url("m/pipe"), 0o644) == 0)
        do {
            _ = try space.registry.register(space.request("churn", ["m"]))
            Issue.record("a fifo must be refused")
        } catch {
            #expect(error.kind == .usage && error.message.contains("special file"))
        }
        #expect(try registrySnapshot(space.root) == before)
        try assertRegistryConsistent(space.root)
    }

    @Test func inputErrorsHaveTheirKindsAndLeaveTheRegistryUnchanged() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        try space.file("bad.yaml", "lr: [1, 2\n")
        try space.file("list.json", "[1, 2]")
        try space.file("text-metric.json", #"{"auc": "high"}"#)
        try space.file("empty/.keep", "")
        try FileManager.default.removeItem(atPath: space.directory.url("empty/.keep"))
        let before = try registrySnapshot(space.root)
        let cases: [(RegistryError.Kind, () throws -> Void)] = [
            (.usage, { _ = try space.registry.register(space.request("Bad Name", ["m"])) }),
            (.notFound, { _ = try space.registry.register(space.request("churn", ["missing"])) }),
            (.usage, { _ = try space.registry.register(space.request("churn", ["empty"])) }),
            (.usage, { _ = try InputParsing.paramsFile(space.directory.url("bad.yaml")) }),
            (.usage, { _ = try InputParsing.paramsFile(space.directory.url("list.json")) }),
            (.notFound, { _ = try InputParsing.paramsFile(space.directory.url("nope.yaml")) }),
            (.usage, { _ = try InputParsing.metricsFile(space.directory.url("text-metric.json")) }),
            (.usage, { _ = try InputParsing.metric("auc=high") }),
            (.usage, { _ = try InputParsing.metric("auc") }),
            (.notFound, { _ = try space.registry.resolve(reference: "churn@3") }),
            (.usage, { _ = try space.registry.resolve(reference: "churn@sha256:12") }),
            (.notFound, {
                var request = space.request("churn", ["m"])
                request.datasets = [("train", "no/such.csv")]
                _ = try space.registry.register(request)
            }),
            (.usage, {
                var request = space.request("churn", ["m"])
                request.datasets = [("train", "m/w.bin"), ("train", "m/w.bin")]
                _ = try space.registry.register(request)
            }),
            (.notFound, {
                var request = space.request("churn", ["m"])
                request.parent = "base@1"
                _ = try space.registry.register(request)
            }),
        ]
        for (index, (kind, body)) in cases.enumerated() {
            do {
                try body()
                Issue.record("case \(index) should fail with \(kind)")
            } catch let error as RegistryError {
                #expect(error.kind == kind, "case \(index): \(error)")
                #expect(!error.message.isEmpty && !error.description.contains("\n"))
            }
        }
        #expect(try registrySnapshot(space.root) == before)
    }

    @Test func parentLinksAFineTuneToItsBase() throws {
        let space = try Workspace()
        try space.file("base/w.bin", "base")
        try space.file("tuned/w.bin", "tuned")
        let base = try space.registry.register(space.request("base", ["base"])).version
        var request = space.request("tuned", ["tuned"])
        request.parent = "base@1"
        let tuned = try space.registry.register(request).version
        #expect(tuned.parent?.manifestDigest == base.manifestDigest)
        #expect(tuned.parent?.reference == "base@1")
        try assertRegistryConsistent(space.root)
    }

    @Test func storedDatasetsAreVerifiedWithTheModel() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        try space.file("data/a.csv", "x\n1\n")
        var request = space.request("churn", ["m"])
        request.datasets = [("train", "data")]
        request.storeDatasets = true
        let version = try space.registry.register(request).version
        let dataset = try #require(version.datasets.first)
        #expect(dataset.stored)
        let report = try space.registry.verify(["churn@1"])
        #expect(report.isIntact && report.blobsChecked == 4, "the model file, its manifest, the stored dataset file and the registration record")
        try assertRegistryConsistent(space.root)
    }
}

@Suite struct IngestHintRegistryTests {
    /// A wrong hint (here planted in the database) costs a hash, never a wrong digest.
    @Test(.enabled(if: !TestBackend.isPostgres, "ingest hints are inode-based: only an embedded store keeps them"))
    func aStaleHintFallsBackToTheRealContent() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights one")
        let first = try space.registry.register(space.request("churn", ["m"])).version
        let hints = try run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("SELECT COUNT(*) FROM source_file_hints").fetchone()[0])
            db.execute("UPDATE source_file_hints SET digest = 'sha256:' || substr('0000000000000000000000000000000000000000000000000000000000000000', 1, 64)")
            db.commit()
            """, space.root + "/registry.sqlite"], in: space.directory.path)
        #expect(hints.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        var request = space.request("churn", ["m"])
        request.labels = ["retry": "yes"]
        let second = try space.registry.register(request).version
        #expect(second.files == first.files)
        try assertRegistryConsistent(space.root)
    }
}

@Suite struct IngestHintWritesNothingTests {
    /// With `tmp/` replaced by a plain file, any ingest that writes a temporary copy fails: so a
    /// successful retry proves the unchanged file was confirmed by hashing alone.
    @Test(.enabled(if: !TestBackend.isPostgres, "ingest hints are inode-based: only an embedded store keeps them"))
    func anUnchangedFileIsConfirmedWithoutATemporaryCopy() throws {
        let space = try Workspace()
        var random = SeededGenerator(seed: 11)
        try writeFile(space.directory.url("m/w.bin"), random.bytes(6 << 20))
        let first = try space.registry.register(space.request("churn", ["m"]))
        let tmp = space.root + "/tmp"
        try FileManager.default.removeItem(atPath: tmp)
        try writeFile(tmp, "not a folder")

        let retry = try space.registry.register(space.request("churn", ["m"]))
        #expect(!retry.created && retry.version.number == first.version.number)

        // A file whose identity changed (new mtime) has no hint, so it needs the temporary copy.
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: space.directory.url("m/w.bin"))
        do {
            _ = try space.registry.register(space.request("churn", ["m"]))
            Issue.record("without a hint the ingest must go through tmp/, which is not a folder here")
        } catch {
            #expect(error.kind == .io)
        }
        try FileManager.default.removeItem(atPath: tmp)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
        try assertRegistryConsistent(space.root)
    }
}
