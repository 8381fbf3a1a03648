import Foundation
import RegistryTestSupport
import Testing

@Suite struct ConcurrencyAndCrashTests {
    /// 32 writer processes at once (a CI matrix): every one succeeds, numbers 1…32.
    @Test func thirtyTwoParallelRegistrationsGetDistinctGapFreeNumbers() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 8)
        for index in 0..<32 { try writeFile(space.directory.url("m\(index)/w.bin"), random.bytes(64 << 10)) }
        let processes = try (0..<32).map { index in
            try launch(mregExecutable, ["register", "churn", "m\(index)", "--no-git", "--quiet"], in: space.path)
        }
        for (process, _, _) in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.0.terminationStatus == 0 })
        let list = try space.run(["list", "churn", "--all", "--json"])
        let numbers = (try #require(try list.json()["versions"] as? [[String: Any]])).compactMap { $0["version"] as? Int }
        #expect(numbers.sorted() == Array(1...32))
        try assertRegistryConsistent(space.registry)
    }

    @Test func eightParallelIdenticalRegistrationsMakeOneVersion() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 9)
        try writeFile(space.directory.url("m/w.bin"), random.bytes(2 << 20))
        let processes = try (0..<8).map { _ in
            try launch(mregExecutable, ["register", "churn", "m", "--no-git", "--param", "lr=0.1", "--quiet"], in: space.path)
        }
        for (process, _, _) in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.0.terminationStatus == 0 })
        let list = try space.run(["list", "churn", "--all", "--json"])
        #expect((try list.json()["versions"] as? [[String: Any]])?.count == 1)
        try assertRegistryConsistent(space.registry)
    }

    /// kill -9 at random moments of a register: afterwards the version is whole or absent,
    /// verify passes, and a later write removes the abandoned temporary files.
    @Test func killingRegisterAtAnyMomentLeavesTheRegistryConsistent() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 13)
        for index in 0..<3 { try writeFile(space.directory.url("m/part\(index).bin"), random.bytes(8 << 20)) }
        var completed = 0
        for iteration in 0..<20 {
            let (process, _, _) = try launch(
                mregExecutable, ["register", "churn", "m", "--no-git", "--quiet", "--param", "run=\(iteration)"], in: space.path)
            usleep(UInt32(random.next() % 250_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus == 0 { completed += 1 }
            try assertRegistryConsistent(space.registry)
            let listed = try space.run(["list", "churn", "--all", "--json"])
            if listed.status == 0 {
                for version in try #require(try listed.json()["versions"] as? [[String: Any]]) {
                    #expect(version["files"] as? Int == 3 && version["size"] as? Int == 3 * (8 << 20))
                }
            }
        }
        let listed = try space.run(["list", "churn", "--all", "--json"])
        // No registration may have finished before its kill; then there is no model yet.
        let numbers = listed.status == 0 ? try #require(try listed.json()["versions"] as? [[String: Any]]).compactMap { $0["version"] as? Int } : []
        #expect(numbers.sorted() == Array(1..<(numbers.count + 1)), "numbers stay gap-free: \(numbers)")
        // Leftovers are abandoned (their writers are dead); after the grace period a write sweeps them.
        sleep(3)
        #expect(try space.run(["register", "churn", "m", "--no-git", "--quiet", "--param", "run=final"]).status == 0)
        if !TestBackend.isOCI {  // only the folder store writes temporary files
            #expect(try FileManager.default.contentsOfDirectory(atPath: space.registry + "/tmp").isEmpty)
        }
        try assertRegistryConsistent(space.registry)
    }
}

@Suite struct AbandonedTemporaryTests {
    /// A register killed with -9 while copying leaves its temporary file; the next gc removes it
    /// at once, however young it is, since its writer is gone.
    @Test(.enabled(if: !TestBackend.isOCI, "only the folder store writes temporary files"))
    func gcRemovesTheTemporaryFileOfAKilledRegisterAtOnce() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 55)
        try writeFile(space.directory.url("m/big.bin"), random.bytes(192 << 20))
        let temporary = space.registry + "/tmp"
        var left = [String]()
        for _ in 0..<20 where left.isEmpty {
            let (process, _, _) = try launch(mregExecutable, ["register", "churn", "m", "--no-git", "--quiet"], in: space.path)
            // Wait until the copy has started, then kill it mid-copy.
            for _ in 0..<2000 where (try? FileManager.default.contentsOfDirectory(atPath: temporary))?.isEmpty != false { usleep(1000) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            left = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        }
        #expect(!left.isEmpty, "a killed register leaves its temporary file")
        let gc = try space.run(["gc", "--json"])
        #expect(gc.status == 0)
        try expectValid(gc, schema: "gc")
        #expect(try gc.json()["abandoned_temporaries"] as? Int == left.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
        try assertRegistryConsistent(space.registry)
    }
}

@Suite struct LockedRegistryTests {
    /// A writer that never lets go: the command waits MREG_BUSY_TIMEOUT, then names the holder.
    @Test(.enabled(if: !TestBackend.isPostgres, "holds SQLite's own lock; PostgresBackendTests holds the advisory lock"))
    func aStuckWriterMakesWritesFailAsLockedNamingTheProcess() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git"]).status == 0)
        let before = try registrySnapshot(space.registry)
        let (holder, out, _) = try launch("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(30)
            """, space.registry + "/registry.sqlite"], in: space.path)
        defer { kill(holder.processIdentifier, SIGKILL) }
        _ = out.fileHandleForReading.availableData  // "locked": the lock is held from here on
        let result = try space.run(["register", "churn", "m", "--no-git", "--param", "lr=2"], environment: ["MREG_BUSY_TIMEOUT": "1"])
        #expect(result.status == 11, "\(result.stderr)")
        #expect(result.stderr.contains("locked by process \(holder.processIdentifier)"), "\(result.stderr)")
        #expect(result.stderr.contains("python3") && result.stderr.contains("running since"))
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        // The refused write may leave its manifest blob (unreferenced, as after a crash); every table is unchanged.
        let tables = { (lines: [String]) in lines.filter { !$0.hasPrefix("blob ") } }
        #expect(tables(try registrySnapshot(space.registry)) == tables(before))
        try assertRegistryConsistent(space.registry)
    }
}

@Suite struct ExportCrashTests {
    /// An export killed mid-copy leaves only a hidden staging folder, never DEST; the next export
    /// into the same place removes it once its process is gone.
    @Test func aKilledExportLeavesNoDestinationAndIsCleanedUpLater() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 21)
        for index in 0..<4 { try writeFile(space.directory.url("m/part\(index).bin"), random.bytes(16 << 20)) }
        #expect(try space.run(["register", "churn", "m", "--no-git", "--quiet"]).status == 0)
        for _ in 0..<8 {
            let (process, _, _) = try launch(mregExecutable, ["export", "churn", "deploy", "--quiet", "--force"], in: space.path)
            usleep(UInt32(random.next() % 150_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let deploy = space.directory.url("deploy")
            if FileManager.default.fileExists(atPath: deploy) {
                // Whatever is at DEST is a complete, verified export.
                let names = try FileManager.default.contentsOfDirectory(atPath: deploy).sorted()
                #expect(names == ["part0.bin", "part1.bin", "part2.bin", "part3.bin"])
                for name in names {
                    #expect(try readFile(deploy + "/" + name) == readFile(space.directory.url("m/" + name)))
                }
            }
        }
        // Plant a staging folder of a process that is gone and one of a process that is alive.
        let finished = try launch("/bin/true", [], in: space.path).0
        finished.waitUntilExit()
        let dead = space.directory.url(".deploy.mreg-export-\(finished.processIdentifier)-dead")
        let alive = space.directory.url(".deploy.mreg-export-\(getpid())-alive")
        try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: alive, withIntermediateDirectories: false)
        let fresh = try space.run(["export", "churn", "deploy", "--force"])
        #expect(fresh.status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: space.path).filter { $0.contains("mreg-export") || $0.contains("mreg-replaced") }
        #expect(leftovers == [(alive as NSString).lastPathComponent], "only the live process's folder stays: \(leftovers)")
    }
}

@Suite struct GCConcurrencyTests {
    /// gc runs while registrations are in flight: every registered version stays whole.
    @Test func gcRacingRegistrationsNeverDeletesTheirBlobs() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 34)
        for index in 0..<6 { try writeFile(space.directory.url("m\(index)/w.bin"), random.bytes(4 << 20)) }
        var processes = [Process]()
        for index in 0..<6 {
            processes.append(try launch(mregExecutable, ["register", "churn", "m\(index)", "--no-git", "--quiet"], in: space.path).0)
            processes.append(try launch(mregExecutable, ["gc", "--quiet"], in: space.path).0)
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let list = try space.run(["list", "churn", "--all", "--json"])
        #expect((try list.json()["versions"] as? [[String: Any]])?.count == 6)
        try assertRegistryConsistent(space.registry)
        #expect(try space.run(["verify"]).status == 0)
    }

    static let noGrace = ["MREG_OCI_GC_GRACE": "0"]

    /// The dangerous case, in rounds: registrations whose files are already stored but referenced
    /// by nothing (a deleted version's), so they store nothing, while gc processes collect exactly
    /// those blobs. Every registration lands (running again when gc took a blob, storing it
    /// again) and every live version verifies, on each backend.
    @Test func gcRacingRegistrationsThatReuseCollectableBlobs() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 35)
        let models = 6
        for index in 0..<models { try writeFile(space.directory.url("m\(index)/w.bin"), random.bytes(256 << 10)) }
        for index in 0..<models {
            #expect(try space.run(["register", "old", "m\(index)", "--no-git", "--quiet"]).status == 0)
            #expect(try space.run(["delete", "old@\(index + 1)", "--reason", "make its file collectable", "--quiet"]).status == 0)
        }
        for round in 0..<3 {
            var processes = [(Process, Pipe, Pipe)]()
            for index in 0..<models {
                processes.append(try launch(mregExecutable, ["register", "r\(round)-\(index)", "m\(index)", "--no-git", "--quiet"], in: space.path))
                if index % 2 == 0 { processes.append(try launch(mregExecutable, ["gc", "--quiet"], in: space.path, environment: Self.noGrace)) }
            }
            for (process, _, errors) in processes {
                process.waitUntilExit()
                let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(process.terminationStatus == 0, "round \(round): \(process.arguments ?? []): \(stderr)")
            }
            let verify = try space.run(["verify", "--all"])
            #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
            // Deleted again, their files are collectable for the next round.
            for index in 0..<models {
                #expect(try space.run(["delete", "r\(round)-\(index)@1", "--reason", "next round", "--quiet"]).status == 0)
            }
        }
        #expect(try space.run(["gc", "--quiet"], environment: Self.noGrace).status == 0)
        try assertRegistryConsistent(space.registry)
    }

    /// gc killed with -9 between recording a page of collections and removing its blobs: a
    /// registration needing one of them is refused (exit 3, naming gc) rather than referencing
    /// a blob about to go; the next gc finishes the stopped collection and the registration then
    /// lands, storing the file again.
    @Test func aGcKilledMidwayIsFinishedByTheNextOne() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights that were deleted")
        #expect(try space.run(["register", "old", "m", "--no-git", "--quiet"]).status == 0)
        let file = try #require((try space.run(["show", "old@1", "--json"]).json()["files"] as? [[String: Any]])?.first?["digest"] as? String)
        #expect(try space.run(["delete", "old@1", "--reason", "superseded", "--quiet"]).status == 0)
        let marker = space.directory.url("gc-recorded")
        let (gc, _, _) = try launch(mregExecutable, ["gc", "--quiet"], in: space.path, environment: Self.noGrace.merging(["MREG_TEST_GC_PAUSE_MARKER": marker]) { $1 })
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: marker) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(FileManager.default.fileExists(atPath: marker), "gc recorded its collections")
        kill(gc.processIdentifier, SIGKILL)
        gc.waitUntilExit()

        let refused = try space.run(["register", "new", "m", "--no-git"])
        #expect(refused.status == 3 && refused.stderr.contains("gc collected") && refused.stderr.contains("mreg gc"), "\(refused.stderr)")
        #expect(try space.run(["list", "new"]).status == 2, "nothing was recorded")
        let young = try space.run(["gc", "--json"], environment: Self.noGrace)
        #expect(young.status == 0)
        // (It collects what the refused registration stored: its manifest and record.)
        let youngCollected = try young.json()["unreferenced_blobs"] as? [String] ?? []
        #expect(!youngCollected.contains(file), "a collection this young may belong to a gc still running: \(young.stdout)")
        let finishing = try space.run(["gc", "--json"], environment: Self.noGrace.merging(["MREG_GC_STOPPED_AFTER": "0"]) { $1 })
        #expect(try finishing.json()["unreferenced_blobs"] as? [String] == [file], "\(finishing.stdout)")
        let registered = try space.run(["register", "new", "m", "--no-git", "--json"])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(try space.run(["verify", "--all"]).status == 0)
        #expect(try space.run(["export", "new@1", "out"]).status == 0)
        try assertRegistryConsistent(space.registry)
    }
}
