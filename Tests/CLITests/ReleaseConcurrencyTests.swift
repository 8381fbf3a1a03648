import Foundation
import RegistryTestSupport
import Testing

@Suite struct ReleaseConcurrencyTests {
    /// Eight processes promote eight versions to one alias at once: every promotion is in the
    /// history, in one order, and the alias points at the last one.
    @Test func racingPromotionsAreAllRecordedInOrder() throws {
        let space = try CLIWorkspace()
        try space.registerVersions(Array(repeating: 0.9, count: 8))
        let processes = try (1...8).map { version in
            try launch(mregExecutable, ["promote", "churn@\(version)", "--to", "production", "--reason", "race \(version)", "--quiet"], in: space.path)
        }
        for (process, _, _) in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.0.terminationStatus == 0 })
        let history = try space.run(["history", "churn", "--alias", "production", "--all", "--json"])
        let events = try #require(try history.json()["events"] as? [[String: Any]])
        #expect(events.count == 8)
        let targets = events.compactMap { ($0["to"] as? [String: Any])?["version"] as? Int }
        #expect(Set(targets) == Set(1...8), "every promotion is recorded once")
        // Each event's "from" is the previous event's "to": no move was lost between them.
        let oldestFirst = Array(events.reversed())
        for (earlier, later) in zip(oldestFirst, oldestFirst.dropFirst()) {
            #expect((later["from"] as? [String: Any])?["version"] as? Int == (earlier["to"] as? [String: Any])?["version"] as? Int)
        }
        let show = try space.run(["show", "churn@production", "--json"])
        #expect(try show.json()["version"] as? Int == targets.first)
        try assertRegistryConsistent(space.registry)
    }

    /// `show` checks a version's annotations against their ledger events while another process
    /// keeps annotating it: a fact committed during the check is never taken for tampering.
    @Test func showWhileAnotherProcessAnnotatesNeverReportsTampering() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9])
        let loop = "for i in $(seq 1 15); do \"$0\" annotate churn@1 --label k$i=v --reason \"step $i\" --quiet || exit 1; done"
        let (annotator, _, annotatorErrors) = try launch("/bin/sh", ["-c", loop, mregExecutable], in: space.path)
        var shows = 0
        while annotator.isRunning || shows == 0 {
            let shown = try space.run(["show", "churn@1"])
            #expect(shown.status == 0, "\(shown.stderr)")
            shows += 1
        }
        annotator.waitUntilExit()
        #expect(annotator.terminationStatus == 0, "\(String(decoding: annotatorErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        let labels = try #require(try space.run(["show", "churn@1", "--json"]).json()["labels"] as? [String: String])
        #expect(labels.count == 15, "\(labels)")
        try assertRegistryConsistent(space.registry)
    }

    /// kill -9 while the promotion's transaction is open: the alias and the history stay as
    /// they were; the next promotion works.
    @Test func killingPromoteInsideItsTransactionLeavesTheOldState() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91])
        for version in 1...2 { #expect(try space.run(["promote", "churn@\(version)", "--to", "production"]).status == 0) }
        let before = try registrySnapshot(space.registry)
        for command in [["promote", "churn@1", "--to", "production"], ["rollback", "churn", "--alias", "production"], ["demote", "churn", "--alias", "production"]] {
            let (process, _, err) = try launch(mregExecutable, command, in: space.path, environment: ["MREG_TEST_LEDGER_COMMIT_DELAY": "30"])
            do {
                try waitForWriteLock(space.registry, held: true)
            } catch {
                process.waitUntilExit()
                throw TestFailure("\(command[0]) never held the lock: \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(try registrySnapshot(space.registry) == before, "\(command[0]) killed mid-transaction changed the registry")
            let show = try space.run(["show", "churn@production", "--json"])
            #expect(try show.json()["version"] as? Int == 2)
            try assertRegistryConsistent(space.registry)
        }
        #expect(try space.run(["rollback", "churn", "--alias", "production"]).status == 0)
        try assertRegistryConsistent(space.registry)
    }

    /// kill -9 at random moments of promote and rollback: each leaves the old state or the new,
    /// with its event, and the chain intact.
    @Test func killingReleaseCommandsAtRandomMomentsKeepsAliasAndHistoryTogether() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91, 0.92])
        var random = SeededGenerator(seed: 21)
        for iteration in 0..<24 {
            let command = iteration % 2 == 0
                ? ["promote", "churn@\(iteration % 3 + 1)", "--to", "production", "--quiet"]
                : ["rollback", "churn", "--alias", "production", "--quiet"]
            let (process, _, _) = try launch(mregExecutable, command, in: space.path)
            usleep(UInt32(random.next() % 60_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try assertRegistryConsistent(space.registry)
            let history = try space.run(["history", "churn", "--alias", "production", "--limit", "1", "--json"])
            let latest = (try? history.json()["events"] as? [[String: Any]])??.first
            let show = try space.run(["show", "churn@production", "--json"])
            let expected = (latest?["to"] as? [String: Any])?["version"] as? Int
            #expect((try? show.json()["version"] as? Int) ?? nil == expected, "the alias is exactly where its last event put it")
        }
    }

    /// Polls SQLite's write lock of the registry's database (the POSIX lock on byte 120 of the
    /// -shm file that every writer holds) until it is held or released.
}
