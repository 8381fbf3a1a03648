import Foundation
import RegistryTestSupport
import Testing

/// `list NAME` finds versions by metric, label, status, alias and time, and sorts them, on a
/// history with every status in it.
@Suite struct ListFilterTests {
    /// A condition few versions meet is searched from the metric's or label's index, one most
    /// meet version by version in number order: both find the same versions, counted alike. The
    /// table counts nothing: it says whether more versions follow from one version read beyond
    /// the page.
    @Test func selectiveAndBroadConditionsFindTheSameVersions() throws {
        let space = try CLIWorkspace()
        for number in 1...25 {
            try writeFile(space.directory.url("m\(number)/w.bin"), "weights \(number)")
            let auc = number == 7 ? 0.97 : 0.80 + Double(number) / 1000
            let owner = number == 7 ? "risk" : "ops"
            #expect(try space.run(["register", "churn", "m\(number)", "--no-git", "-q", "--metric", "holdout.auc=\(auc)", "--label", "owner=\(owner)"]).status == 0)
        }
        func listed(_ options: [String]) throws -> (numbers: [Int], total: Int?) {
            let result = try space.run(["list", "churn", "--json"] + options)
            #expect(result.status == 0, "\(options): \(result.stderr)")
            let numbers = try #require(try result.json()["versions"] as? [[String: Any]]).compactMap { $0["version"] as? Int }
            return (numbers, try result.json()["total"] as? Int)
        }
        #expect(try listed(["--where", "holdout.auc>=0.95"]) == ([7], 1), "one of 25: from the index")
        #expect(try listed(["--where", "holdout.auc>=0.95", "--all"]).numbers == [7])
        #expect(try listed(["--where", "holdout.auc<0.95", "--limit", "5"]) == ([25, 24, 23, 22, 21], 24), "24 of 25: in number order")
        #expect(try listed(["--where", "holdout.auc<0.95", "--all"]).numbers == Array((1...25).reversed()).filter { $0 != 7 })
        #expect(try listed(["--where", "holdout.auc>0.81", "--where", "holdout.auc<0.95"]) == (Array((11...25).reversed()), 15))
        #expect(try listed(["--label", "owner=risk"]) == ([7], 1), "one of 25: from the label's index")
        #expect(try listed(["--label", "owner=ops", "--limit", "5"]) == ([25, 24, 23, 22, 21], 24), "24 of 25: in number order")
        #expect(try listed(["--label", "owner=ops", "--where", "holdout.auc>=0.95"]) == ([], 0))
        #expect(try listed(["--label", "owner=risk", "--where", "holdout.auc>=0.95", "--status", "active"]) == ([7], 1))

        func table(_ options: [String]) throws -> (rows: [Int], note: String) {
            let result = try space.run(["list", "churn"] + options)
            #expect(result.status == 0, "\(options): \(result.stderr)")
            let rows = result.stdout.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: " ").first ?? "") }
            return (rows, result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(try table(["--label", "owner=ops", "--limit", "5"]) == (
            [25, 24, 23, 22, 21], "(older versions not shown; the next page: mreg list churn --label owner=ops --limit 5 --after 21, or --all)"))
        // The next page's command repeats the options, quoted for the shell, and lists that page.
        let first = try table(["--where", "holdout.auc<0.95", "--since", "2000-01-01", "--deleted", "--limit", "4", "--after", "20"])
        #expect(first.rows == [19, 18, 17, 16])
        let hint = try #require(first.note.firstMatch(of: /the next page: mreg (.*), or --all\)/)?.output.1)
        #expect(hint == "list churn --where 'holdout.auc<0.95' --since 2000-01-01 --deleted --limit 4 --after 16")
        let words = try run("/bin/sh", ["-c", "printf '%s\\n' \(hint)"], in: space.path).stdout.split(separator: "\n").map(String.init)
        let next = try space.run(words)
        #expect(next.status == 0 && next.stdout.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: " ").first ?? "") } == [15, 14, 13, 12])
        #expect(try table(["--label", "owner=ops", "--limit", "5", "--after", "6"]) == ([5, 4, 3, 2, 1], ""), "the last page says nothing")
        #expect(try table(["--label", "owner=risk", "--limit", "1"]) == ([7], ""), "exactly a page")
        #expect(try table(["--label", "owner=risk", "--limit", "\(Int.max)"]) == ([7], ""), "one beyond the largest page is not asked for")
        #expect(try table(["--label", "owner=nobody"]) == ([], "no version of churn is kept by these options"))
        #expect(try table(["--label", "owner=risk", "--after", "7"]) == ([], "no version of churn below 7 is kept by these options"))
    }

    @Test func versionsAreFoundAndSortedByWhatUsersSearchBy() throws {
        let space = try CLIWorkspace()
        for (index, auc) in [0.84, 0.81, 0.86, 0.83, 0.85, 0.82].enumerated() {
            try writeFile(space.directory.url("m\(index)/w.bin"), "weights \(index)")
            let owner = index % 2 == 0 ? "risk" : "growth"
            let registered = try space.run([
                "register", "churn", "m\(index)", "--no-git", "--quiet", "--metric", "holdout.auc=\(auc)", "--label", "owner=\(owner)",
            ] + (index == 4 ? [] : ["--metric", "holdout.log_loss=0.3"]))
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        for number in [2, 4] { #expect(try space.run(["promote", "churn@\(number)", "--to", "production"]).status == 0) }
        #expect(try space.run(["rollback", "churn", "--alias", "production", "--reason", "latency"]).status == 0)  // 4 rolled back, 2 serves
        #expect(try space.run(["deprecate", "churn@3", "--reason", "leak"]).status == 0)
        #expect(try space.run(["delete", "churn@6", "--reason", "pruned"]).status == 0)
        // Another model with every mark: a status or alias filter starts from the model's own events only.
        for index in 0..<3 {
            try writeFile(space.directory.url("o\(index)/w.bin"), "other \(index)")
            #expect(try space.run(["register", "other", "o\(index)", "--no-git", "--quiet"]).status == 0)
        }
        for command in [
            ["promote", "other@1", "--to", "production"], ["promote", "other@2", "--to", "production"], ["rollback", "other", "--alias", "production"],
            ["deprecate", "other@1", "--reason", "old"], ["delete", "other@3", "--reason", "pruned"],
        ] {
            #expect(try space.run(command).status == 0, "\(command)")
        }

        func listed(_ options: [String]) throws -> (numbers: [Int], total: Int?) {
            let result = try space.run(["list", "churn", "--json"] + options)
            #expect(result.status == 0, "\(options): \(result.stderr)")
            try expectValid(result, schema: "list-versions")
            let numbers = try #require(try result.json()["versions"] as? [[String: Any]]).compactMap { $0["version"] as? Int }
            return (numbers, try result.json()["total"] as? Int)
        }
        #expect(try listed(["--where", "holdout.auc>=0.84"]) == ([5, 3, 1], 3), "the deleted 6 is left out")
        // A filtered page's evaluations are its versions' own, however far apart their numbers.
        try writeFile(space.directory.url("data/test.csv"), "label,score\n1,0.9\n")
        for (number, auc) in [(1, 0.71), (2, 0.72), (4, 0.74)] {
            let evaluated = try space.run(["evaluate", "churn@\(number)", "--dataset", "data/test.csv", "--as", "test", "--metric", "auc=\(auc)", "-q"])
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
        }
        let page = try #require(try space.run(["list", "churn", "--json", "--where", "holdout.auc>=0.84"]).json()["versions"] as? [[String: Any]])
        let evaluated = page.map { ($0["version"] as? Int ?? 0, (($0["evaluated"] as? [String: Any])?["test.auc"] as? [String: Any])?["value"] as? Double) }
        #expect(evaluated.map(\.0) == [5, 3, 1] && evaluated.map(\.1) == [nil, nil, 0.71], "\(evaluated)")
        #expect(try listed(["--where", "holdout.auc>0.81", "--where", "holdout.auc<0.86"]).numbers == [5, 4, 1])
        #expect(try listed(["--where", "holdout.auc=0.83"]).numbers == [4])
        #expect(try listed(["--where", "holdout.auc!=0.83", "--label", "owner=growth"]).numbers == [2], "4 is 0.83, 6 is deleted")
        #expect(try listed(["--where", "holdout.log_loss<1"]).numbers == [4, 3, 2, 1], "5 has no log_loss")
        #expect(try listed(["--status", "active"]).numbers == [5, 2, 1])
        #expect(try listed(["--status", "deprecated"]).numbers == [3])
        #expect(try listed(["--status", "rolled_back"]).numbers == [4])
        #expect(try listed(["--status", "deleted"]).numbers == [6])
        #expect(try listed(["--alias", "production"]).numbers == [4, 2], "every version that ever held it")
        #expect(try listed(["--sort", "holdout.auc:desc"]).numbers == [3, 5, 1, 4, 2])
        #expect(try listed(["--sort", "holdout.auc", "--limit", "2"]) == ([2, 4], 5))
        #expect(try listed(["--sort", "holdout.log_loss:desc"]).numbers.last == 5, "versions without the metric come last")
        #expect(try listed(["--sort", "holdout.log_loss", "--limit", "5"]).numbers.last == 5, "a page of four with it and one without")
        #expect(try listed(["--sort", "holdout.log_loss", "--limit", "4"]).numbers.sorted() == [1, 2, 3, 4])
        #expect(try listed(["--sort", "holdout.auc:desc", "--status", "active"]).numbers == [5, 1, 2])
        #expect(try listed(["--sort", "holdout.auc", "--where", "holdout.auc>=0.83"]).numbers == [4, 1, 5, 3])
        #expect(try listed(["--sort", "created:desc", "--deleted"]).numbers == [6, 5, 4, 3, 2, 1])
        #expect(try listed(["--sort", "version"]).numbers == [1, 2, 3, 4, 5], "oldest first")
        #expect(try listed(["--sort", "version:desc", "--limit", "2"]) == ([5, 4], 5))
        #expect(try listed(["--since", "2000-01-01", "--until", "2999-01-01"]).numbers == [5, 4, 3, 2, 1])
        #expect(try listed(["--until", "2000-01-01"]) == ([], 0))
        #expect(try listed(["--where", "holdout.auc>=0.8", "--limit", "2", "--after", "4"]) == ([3, 2], 5))
        // Totals are counted on an index less the marked versions the status removes, where one
        // condition or none is asked: each equals the versions listed in full. 6 is deleted
        // twice over, so it is marked by two events.
        #expect(try space.run(["undelete", "churn@6"]).status == 0)
        #expect(try space.run(["delete", "churn@6", "--reason", "pruned again"]).status == 0)
        for options in [
            [], ["--deleted"], ["--status", "active"], ["--label", "owner=risk"], ["--label", "owner=growth", "--status", "active"],
            ["--label", "owner=growth", "--deleted"], ["--where", "holdout.auc>=0.83", "--status", "active"], ["--where", "holdout.auc<0.85"],
            ["--since", "2000-01-01", "--status", "active"], ["--label", "owner=risk", "--where", "holdout.auc>=0.85", "--status", "active"],
            ["--status", "deprecated"], ["--alias", "production", "--status", "active"],
        ] {
            let (numbers, total) = try listed(options + ["--limit", "1"])
            let every = try listed(options + ["--all"]).numbers
            #expect(total == every.count && numbers == Array(every.prefix(1)), "\(options): \(total ?? -1) counted, \(every) listed")
        }
        #expect(try listed(["--label", "owner=growth", "--status", "active"]).numbers == [2], "4 rolled back, 6 deleted")

        try space.expectRefusal(["list", "churn", "--where", "holdout.auc"], status: 64, mentioning: "METRIC OP NUMBER")
        try space.expectRefusal(["list", "churn", "--where", "holdout.auc>=high"], status: 64, mentioning: "METRIC OP NUMBER")
        #expect(try listed(["--where", "auc>=0.9"]) == ([], 0), "a metric registered without a dataset, which none has")
        try space.expectRefusal(["list", "churn", "--status", "live"], status: 64, mentioning: "--status 'live'")
        try space.expectRefusal(["list", "churn", "--sort", ":desc"], status: 64, mentioning: "--sort ':desc'")
        try space.expectRefusal(["list", "churn", "--sort", "holdout.auc", "--after", "3"], status: 64, mentioning: "--after pages")
        try space.expectRefusal(["list", "--where", "holdout.auc>=0.9"], status: 64, mentioning: "name the model")
        try space.expectRefusal(["list", "churn", "--since", "yesterday"], status: 64, mentioning: "ISO 8601")
    }

    /// `--all` prints a page of versions at a time (never the whole model at once) in exactly
    /// the bytes of one listing, across page boundaries, deleted versions and filters.
    @Test func listAllStreamsEveryPageAsOneListing() throws {
        let space = try CLIWorkspace()
        let populate = URL(fileURLWithPath: mregExecutable).deletingLastPathComponent().appendingPathComponent("mreg-populate").path
        let metadata = try TestBackend.metadataAddress(of: space.registry).map { ["--metadata", $0] } ?? []
        let filled = try run(populate, [space.registry, "1", "2345"] + metadata, in: space.path)
        #expect(filled.status == 0, "\(filled.stderr)")
        // The generator writes its blobs into the blob folder only, and `delete` checks the
        // version's recorded facts against the blob store: on an OCI store nothing is deleted.
        let gone: Set<Int> = TestBackend.isOCI ? [] : [1346]
        if !gone.isEmpty {
            let deleted = try space.run(["delete", "model-0000@1346", "--reason", "the last of the first page"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
        }
        let live = 2345 - gone.count

        func listed(_ options: [String]) throws -> ProcessResult {
            let result = try space.run(["list", "model-0000"] + options)
            #expect(result.status == 0, "\(options): \(result.stderr)")
            return result
        }
        let streamed = try listed(["--all", "--json"])
        try expectValid(streamed, schema: "list-versions")
        #expect(streamed.stdout == (try listed(["--limit", "5000", "--json"])).stdout, "the same bytes as one page")
        let numbers = try #require(try streamed.json()["versions"] as? [[String: Any]]).compactMap { $0["version"] as? Int }
        #expect(numbers == Array((1...2345).reversed()).filter { !gone.contains($0) })
        #expect(try streamed.json()["total"] as? Int == live)

        let table = try listed(["--all"])
        #expect(table.stdout == (try listed(["--limit", "5000"])).stdout)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == live + 1 && lines.first?.hasPrefix("VERSION") == true && lines.filter { $0.hasPrefix("VERSION") }.count == 1)
        // The first page holds the aliases (the widest cells), so any later page sized on its own
        // would shift its STATUS column left.
        let statusColumn = try #require(lines.first?.range(of: "STATUS")).lowerBound.utf16Offset(in: lines[0])
        let misaligned = lines.dropFirst().filter { line in
            let characters = Array(line)  // ASCII up to the METRICS column
            guard characters.count > statusColumn else { return true }
            let cell = String(characters[statusColumn...])
            return characters[statusColumn - 1] != " " || !(cell.hasPrefix("active") || cell.hasPrefix("deleted"))
        }
        #expect(misaligned.isEmpty, "every page's STATUS cell under its header: \(misaligned.prefix(2))")

        #expect(try listed(["--all", "--deleted"]).stdout.split(separator: "\n").count == 2346)
        let after = try #require(try listed(["--all", "--after", "1400", "--json"]).json()["versions"] as? [[String: Any]])
        #expect(after.compactMap { $0["version"] as? Int } == Array((1...1399).reversed()).filter { !gone.contains($0) })
        let narrowed = try listed(["--all", "--where", "holdout.auc>=0.9", "--json"])
        #expect(narrowed.stdout == (try listed(["--limit", "5000", "--where", "holdout.auc>=0.9", "--json"])).stdout)
        let kept = try #require(try narrowed.json()["versions"] as? [Any]).count
        let total = try narrowed.json()["total"] as? Int
        #expect(kept > 0 && kept < live && total == kept)
    }
}
