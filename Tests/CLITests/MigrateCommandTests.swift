import Foundation
import RegistryTestSupport
import Testing

/// `mreg migrate`: an embedded registry with every kind of record moves into PostgreSQL and an
/// OCI registry and answers the same; an interrupted migration resumes; a database of another
/// registry is refused.
@Suite struct MigrateCommandTests {
    /// An embedded registry (whatever the suite's pass) with versions and their datasets,
    /// metrics, labels, an evaluation with kept predictions, a signature, an annotation, a recorded
    /// drift report, a named dataset, promotions, a rollback, a deprecation and its lift.
    private func embeddedRegistryWithEveryRecord() throws -> TemporaryDirectory {
        let space = TemporaryDirectory()
        let created = try run(mregExecutable, ["init", "registry", "-q"], in: space.path)
        guard created.status == 0 else { throw TestFailure("init failed: \(created.stderr)") }
        try writeFile(space.url("data/train.csv"), "x,y\n1,0\n2,1\n3,1\n")
        var predictions = "label,score\n"
        for row in 0..<60 { predictions += "\(row % 2),\(Double(row % 10) / 10)\n" }
        try writeFile(space.url("preds.csv"), predictions)
        for (index, auc) in [0.81, 0.84, 0.86].enumerated() {
            try writeFile(space.url("m\(index)/w.bin"), "weights \(index)")
            try writeFile(space.url("m\(index)/bin/run.sh"), Array("#!/bin/sh\n".utf8), executable: true)
            try step(space, ["register", "churn", "m\(index)", "--no-git", "--dataset", "train=data/train.csv", "--metric", "holdout.auc=\(auc)",
                             "--param", "lr=0.\(index + 1)", "--label", "owner=risk"])
        }
        try step(space, ["dataset", "add", "churn-train", "data/train.csv"])
        try step(space, ["evaluate", "churn@2", "--dataset", "data/train.csv", "--predictions", "preds.csv", "--task", "binary", "--bootstrap", "50"])
        try FileManager.default.createDirectory(atPath: space.url("keys"), withIntermediateDirectories: true)
        try step(space, ["keys", "generate", "release", "--out", "keys"])
        try step(space, ["keys", "trust", "keys/release.pub"])
        try step(space, ["sign", "churn@2", "--key", "keys/release.key"])
        try step(space, ["annotate", "churn@1", "--label", "stage=archived", "--reason", "superseded"])
        try step(space, ["drift", "churn@2", "--data", "data/train.csv", "--record"])
        for (version, alias) in [(1, "production"), (2, "staging"), (2, "production"), (3, "production")] {
            try step(space, ["promote", "churn@\(version)", "--to", alias, "--force", "--reason", "test"])
        }
        try step(space, ["rollback", "churn", "--alias", "production", "--reason", "regressed"])
        try step(space, ["deprecate", "churn@1", "--reason", "old"])
        try step(space, ["lift", "churn@1", "--deprecation", "--reason", "needed again"])
        return space
    }

    private func step(_ space: TemporaryDirectory, _ arguments: [String]) throws {
        let result = try mreg(arguments, in: space.path)
        guard result.status == 0 else { throw TestFailure("\(arguments.prefix(2)) failed: \(result.stderr)") }
    }

    /// What a user reads of a registry: every answer must be the same after the move.
    private func answers(_ space: TemporaryDirectory) throws -> [String] {
        let at = try mreg(["history", "churn", "--json"], in: space.path)
        let events = try #require(try at.json()["events"] as? [[String: Any]])
        let middle = try #require(events[events.count / 2]["at"] as? String)
        return try [
            ["list", "--json"], ["list", "churn", "--all", "--json"], ["show", "churn@1", "--json"], ["show", "churn@2", "--json"],
            ["show", "churn@production", "--json"], ["history", "churn", "--records", "--all"], ["history", "churn", "--at", middle],
            ["dataset", "list"], ["diff", "churn@1", "churn@2"], ["lineage", "churn@2"], ["drift", "list", "churn@2", "--json"],
        ].map { arguments in
            let result = try mreg(arguments, in: space.path)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
    }

    @Test func everyRecordMovesAndAnswersTheSame() throws {
        let space = try embeddedRegistryWithEveryRecord()
        let before = try answers(space)
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        let migrated = try mreg(["migrate", "--to-metadata", address, "--json"], in: space.path)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        try expectValid(migrated, schema: "migrate")
        let document = try migrated.json()
        #expect(document["metadata"] as? String == address)
        #expect(document["versions_verified"] as? Int == 3)
        #expect(try TestBackend.metadataAddress(of: space.url("registry")) == address, "registry.json now names the database")
        #expect(try answers(space) == before, "every answer is the same on both sides, history --at included")
        // The registry goes on from where it was: the next number, and the chain extends.
        try writeFile(space.url("m3/w.bin"), "weights 3")
        let next = try mreg(["register", "churn", "m3", "--no-git", "--json"], in: space.path)
        #expect((try next.json()["version"] as? [String: Any])?["version"] as? Int == 4, "\(next.stderr)")
        try assertRegistryConsistent(space.url("registry"))
    }

    /// Metadata and blobs in one command: every blob uploaded, every version published as an
    /// image skopeo fetches, every answer the same, and the registry goes on from there.
    @Test func metadataAndBlobsMoveInOneCommand() throws {
        let space = try embeddedRegistryWithEveryRecord()
        let before = try answers(space)
        let localBlobs = try FileManager.default.contentsOfDirectory(atPath: space.url("registry/blobs/sha256")).count
        let database = try TestBackend.newPostgresDatabase(tcp: true)
        let blobs = try TestBackend.newOCIAddress()
        let migrated = try mreg(["migrate", "--to-metadata", database, "--to-blobs", blobs, "--json"], in: space.path)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        try expectValid(migrated, schema: "migrate")
        let document = try migrated.json()
        #expect(document["blobs"] as? String == blobs && document["metadata"] as? String == database)
        #expect(document["blobs_copied"] as? Int == localBlobs && document["versions_published"] as? Int == 3, "\(document)")
        #expect(try TestBackend.blobsAddress(of: space.url("registry")) == blobs && TestBackend.metadataAddress(of: space.url("registry")) == database)
        #expect(try storedBlobHexes(space.url("registry")).count == localBlobs)
        #expect(try answers(space) == before, "every answer is the same on both sides, history --at included")

        let host = blobs.replacingOccurrences(of: "oci://", with: "")
        let fetched = try run("/usr/bin/env", ["skopeo", "copy", "--src-tls-verify=false", "docker://\(host)/churn:v2", "oci:\(space.url("image"))"], in: space.path)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(try mreg(["export", "churn@2", "out"], in: space.path).status == 0)
        #expect(try readFile(space.url("out/w.bin")) == Array("weights 1".utf8))
        try writeFile(space.url("m3/w.bin"), "weights 3")
        let next = try mreg(["register", "churn", "m3", "--no-git", "--json"], in: space.path)
        #expect((try next.json()["version"] as? [String: Any])?["version"] as? Int == 4, "\(next.stderr)")
        try assertRegistryConsistent(space.url("registry"))
    }

    /// kill -9 while blobs upload, then the same command again: blobs already held are not sent
    /// again, and the registry names the OCI registry only once the copy verifies.
    @Test func anInterruptedBlobCopyResumes() throws {
        let space = try embeddedRegistryWithEveryRecord()
        try FileManager.default.createDirectory(atPath: space.url("big"), withIntermediateDirectories: true)
        #expect(try run("/usr/bin/env", ["truncate", "-s", "192M", space.url("big/w.bin")], in: "/").status == 0)
        try step(space, ["register", "big", "big", "--no-git"])
        let total = try FileManager.default.contentsOfDirectory(atPath: space.url("registry/blobs/sha256")).count
        let blobs = try TestBackend.newOCIAddress()
        let (process, _, _) = try launch(mregExecutable, ["migrate", "--to-blobs", blobs], in: space.path)
        var held = 0
        for _ in 0..<3000 where held < 2 {
            held = (try? TestBackend.ociTags(blobs, repository: "mreg-blobs").count) ?? 0
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(held >= 2, "killed while copying")
        #expect(try TestBackend.blobsAddress(of: space.url("registry")) == nil, "still embedded until the copy verifies")
        let resumed = try mreg(["migrate", "--to-blobs", blobs, "--json"], in: space.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let copied = try #require(try resumed.json()["blobs_copied"] as? Int)
        #expect(copied <= total - held, "blobs held before the kill are not sent again: \(copied) of \(total)")
        #expect(try storedBlobHexes(space.url("registry")).count == total)
        try assertRegistryConsistent(space.url("registry"))
    }

    /// kill -9 between two batches, then the same command again: it resumes, and the copy verifies.
    @Test func anInterruptedMigrationResumes() throws {
        let space = try embeddedRegistryWithEveryRecord()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        let (process, _, _) = try launch(
            mregExecutable, ["migrate", "--to-metadata", address], in: space.path,
            environment: ["MREG_TEST_MIGRATE_BATCH": "2", "MREG_TEST_MIGRATE_PAUSE": "0.5"])
        var copied = 0
        for _ in 0..<200 {
            let count = try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT count(*) FROM versions"], in: space.path)
            copied = Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if copied > 0 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(copied > 0 && copied < 3, "killed midway: \(copied) version(s) copied")
        #expect(try TestBackend.metadataAddress(of: space.url("registry")) == nil, "still embedded until the copy verifies")
        let resumed = try mreg(["migrate", "--to-metadata", address, "--json"], in: space.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let rows = try #require(try resumed.json()["rows"] as? [[String: Any]])
        #expect(rows.first { $0["table"] as? String == "versions" }?["rows"] as? Int == 3 - copied, "only the rest is copied")
        try assertRegistryConsistent(space.url("registry"))
    }

    @Test func aDatabaseOfAnotherRegistryIsRefused() throws {
        let other = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        #expect(try mreg(["init", "registry", "--metadata", address], in: other.path).status == 0)
        try writeFile(other.url("m/w.bin"), "other weights")
        #expect(try mreg(["register", "fraud", "m", "--no-git"], in: other.path).status == 0)
        let space = try embeddedRegistryWithEveryRecord()
        let before = try registrySnapshot(space.url("registry"))
        let refused = try mreg(["migrate", "--to-metadata", address], in: space.path)
        #expect(refused.status == 3 && refused.stderr.contains("another registry"), "\(refused.stderr)")
        #expect(try registrySnapshot(space.url("registry")) == before)
        let again = try mreg(["migrate", "--to-metadata", address], in: other.path)
        #expect(again.status == 64 && again.stderr.contains("already in"), "\(again.stderr)")
    }
}
