import Foundation
import RegistryBackends
import RegistryKit
import RegistryTestSupport
import Testing

@Suite struct IntegrityTests {
    func registered() throws -> (Workspace, String) {
        let space = try Workspace()
        var random = SeededGenerator(seed: 42)
        try writeFile(space.directory.url("m/weights.bin"), random.bytes(3 << 20))
        try writeFile(space.directory.url("m/bin/run.sh"), Array("#!/bin/sh\n".utf8), executable: true)
        _ = try space.registry.register(space.request("churn", ["m"]))
        return (space, space.directory.url("m"))
    }

    @Test func exportCreatesMissingParentFolders() throws {
        let (space, source) = try registered()
        _ = try space.registry.export("churn@1", to: "missing/parents/x", force: false, currentDirectory: space.directory.path)
        #expect(try readFile(space.directory.url("missing/parents/x/weights.bin")) == readFile(source + "/weights.bin"))
        try writeFile(space.directory.url("file"), "not a folder")
        do {
            _ = try space.registry.export("churn@1", to: "file/x", force: false, currentDirectory: space.directory.path)
            Issue.record("a file where the parent folder should be must be refused")
        } catch {
            #expect(error.kind == .usage && error.message.contains("is a file, not a folder"))
        }
    }

    @Test func exportWritesVerifiedFilesAndRefusesNonEmptyDestinations() throws {
        let (space, source) = try registered()
        try FileManager.default.createDirectory(atPath: space.directory.url("serving"), withIntermediateDirectories: true)
        let outcome = try space.registry.export("churn", to: "serving/model", force: false, currentDirectory: space.directory.path)
        #expect(outcome.files == 2 && !outcome.replaced)
        #expect(try readFile(space.directory.url("serving/model/weights.bin")) == readFile(source + "/weights.bin"))
        #expect(FileManager.default.isExecutableFile(atPath: space.directory.url("serving/model/bin/run.sh")))
        #expect(!FileManager.default.isExecutableFile(atPath: space.directory.url("serving/model/weights.bin")))
        do {
            _ = try space.registry.export("churn", to: "serving/model", force: false, currentDirectory: space.directory.path)
            Issue.record("a non-empty destination must be refused without --force")
        } catch {
            #expect(error.kind == .conflict)
        }
        try writeFile(space.directory.url("serving/model/stale.txt"), "old")
        let replaced = try space.registry.export("churn", to: "serving/model", force: true, currentDirectory: space.directory.path)
        #expect(replaced.replaced)
        #expect(!FileManager.default.fileExists(atPath: space.directory.url("serving/model/stale.txt")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: space.directory.url("serving")) == ["model"])
    }

    @Test(.enabled(if: !TestBackend.isOCI, "a folder moves corrupt blobs aside; OCIBackendTests alters a blob in the registry"))
    func aCorruptBlobStopsExportAndVerifyNamesTheVersion() throws {
        let (space, _) = try registered()
        _ = try space.registry.register(space.request("other", ["m/weights.bin"]))
        let record = try space.registry.resolve(reference: "churn@1")
        let weights = try #require(record.files.first { $0.path == "weights.bin" })
        let blob = space.root + "/blobs/sha256/" + weights.digest.hex
        chmod(blob, 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: blob))
        try handle.seek(toOffset: 1000)
        handle.write(Data([0xFF, 0x00, 0xFF]))
        try handle.close()

        let report = try space.registry.verify([])
        #expect(!report.isIntact)
        let problem = try #require(report.problems.first)
        #expect(problem.kind == .corrupt && problem.digest == weights.digest)
        #expect(problem.affected == ["churn@1 file weights.bin", "other@1 file weights.bin"])
        #expect(problem.detail.contains("moved aside to '\(space.root)/quarantine/sha256/\(weights.digest.hex)."))
        #expect(!FileManager.default.fileExists(atPath: blob), "a corrupt blob is never served again")
        let missing = try space.registry.verify(["other@1"]).problems
        #expect(missing.count == 1 && missing[0].kind == .missing && missing[0].detail.contains("found corrupt and moved aside"))

        do {
            _ = try space.registry.export("churn@1", to: "out", force: false, currentDirectory: space.directory.path)
            Issue.record("export must refuse a missing blob")
        } catch {
            #expect(error.kind == .integrity)
        }
        #expect(!FileManager.default.fileExists(atPath: space.directory.url("out")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: space.directory.path).allSatisfy { !$0.contains("mreg-export") })
    }

    /// verify or export moves a corrupt blob aside; registering the same bytes again repairs
    /// every version that names them.
    @Test(.enabled(if: !TestBackend.isOCI, "a folder moves corrupt blobs aside, so the same bytes can be stored again"))
    func registeringTheSameFileAgainRepairsACorruptBlob() throws {
        let (space, _) = try registered()
        let weights = try #require(try space.registry.resolve(reference: "churn@1").files.first { $0.path == "weights.bin" })
        let blob = space.root + "/blobs/sha256/" + weights.digest.hex
        chmod(blob, 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: blob))
        try handle.seek(toOffset: 7)
        handle.write(Data([0x42]))
        try handle.close()
        do {
            _ = try space.registry.export("churn@1", to: "out", force: false, currentDirectory: space.directory.path)
            Issue.record("export must refuse a corrupt blob")
        } catch {
            #expect(error.kind == .integrity && error.message.contains("moved aside to"))
            #expect(error.hint?.contains("register the original files again") == true)
        }
        #expect(!(try space.registry.verify([]).isIntact))
        var again = space.request("churn", ["m"])
        again.labels = ["note": "re-registered after a corrupt blob"]
        let repaired = try space.registry.register(again)
        #expect(repaired.created && repaired.version.number == 2)
        let report = try space.registry.verify([])
        #expect(report.isIntact, "\(report.problems.map(\.detail))")
        for version in ["churn@1", "churn@2"] {
            _ = try space.registry.export(version, to: "out-\(version)", force: false, currentDirectory: space.directory.path)
            #expect(try readFile(space.directory.url("out-\(version)/weights.bin")) == readFile(space.directory.url("m/weights.bin")))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: space.root + "/quarantine/sha256").count == 1, "the corrupt copy is kept for inspection")
    }

    @Test func editingTheDatabaseBehindMregsBackIsDetected() throws {
        let (space, _) = try registered()
        try assertRegistryConsistent(space.root)
        try executeSQL(space.root, "UPDATE version_files SET size = size + 1 WHERE path = 'bin/run.sh'")
        let report = try space.registry.verify([])
        #expect(report.problems.contains { $0.kind == .manifestMismatch && $0.affected == ["churn@1"] })
    }

    @Test func unreferencedBlobsAreReportedButAreNotAFailure() throws {
        let (space, _) = try registered()
        let orphan = try storeOrphanBlob(space.root, "orphan")
        let report = try space.registry.verify([])
        #expect(report.isIntact)
        #expect(report.unreferencedBlobs.map(\.hex) == [String(orphan)])
    }
}

@Suite struct GarbageCollectionTests {
    @Test(.enabled(if: !TestBackend.isOCI, "OCIBackendTests covers gc in an OCI registry, with its grace period"))
    func gcDeletesOnlyUnreferencedBlobs() throws {
        let space = try Workspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        _ = try space.registry.register(space.request("churn", ["m"]))
        try writeFile(space.directory.url("orphan.bin"), "left by a killed registration")
        let orphan = String(try run("/usr/bin/sha256sum", [space.directory.url("orphan.bin")], in: "/").stdout.prefix(64))
        try FileManager.default.copyItem(atPath: space.directory.url("orphan.bin"), toPath: space.root + "/blobs/sha256/" + orphan)
        let dry = try space.registry.collectGarbage(dryRun: true)
        #expect(dry.unreferencedBlobs.map(\.hex) == [orphan] && dry.bytes == 29)
        let counted = try space.registry.collectGarbage(dryRun: true, listing: false)
        #expect(counted.unreferencedCount == 1 && counted.unreferencedBlobs.isEmpty && counted.bytes == 29, "counted, not listed")
        #expect(FileManager.default.fileExists(atPath: space.root + "/blobs/sha256/" + orphan))
        let done = try space.registry.collectGarbage(dryRun: false)
        #expect(done.unreferencedBlobs.map(\.hex) == [orphan] && done.unreferencedCount == 1)
        #expect(!FileManager.default.fileExists(atPath: space.root + "/blobs/sha256/" + orphan))
        #expect(try space.registry.collectGarbage(dryRun: false).unreferencedBlobs.isEmpty)
        try assertRegistryConsistent(space.root)
        #expect(try space.registry.verify([]).unreferencedBlobs.isEmpty)
    }

    /// gc runs beside registrations in flight (they hold the store lock shared; the collection
    /// log keeps their blobs), sweeping only temporary files old enough to have no writer, and
    /// waits for a migration, which holds the lock exclusively.
    @Test(.enabled(if: !TestBackend.isOCI, "an OCI store keeps no temporary files"))
    func gcRunsBesideRegistrationsAndWaitsForAMigration() throws {
        let space = try Workspace()
        let shortWait = try Registry.open(at: space.root, busyTimeout: 0.3)
        let holder = open(space.root + "/gc.lock", O_RDWR | O_CREAT, 0o644)
        defer { close(holder) }
        try FileManager.default.createDirectory(atPath: space.root + "/tmp", withIntermediateDirectories: true)
        try writeFile(space.root + "/tmp/ingest-young", "a registration's temporary file, a moment old")
        #expect(flock(holder, LOCK_SH) == 0)
        #expect(try shortWait.collectGarbage(dryRun: false).abandonedTemporaries == 0, "young, and a writer may own it")
        #expect(FileManager.default.fileExists(atPath: space.root + "/tmp/ingest-young"))
        #expect(flock(holder, LOCK_UN) == 0)
        #expect(try shortWait.collectGarbage(dryRun: false).abandonedTemporaries == 1, "alone, gc knows no writer owns it")

        #expect(flock(holder, LOCK_EX) == 0)
        do {
            _ = try shortWait.collectGarbage(dryRun: false)
            Issue.record("gc must not run while a migration holds the lock")
        } catch {
            #expect(error.kind == .locked && error.message.contains("a migration holds the registry"))
        }
        #expect(flock(holder, LOCK_UN) == 0)
    }
}
