import Foundation
import RegistryModel
import RegistryTestSupport
import Testing

/// Writes a CSV of `rows` rows drawn with numpy: x ~ N(shift, 1), y ~ N(5, 2) with a share of
/// missing values, and a category with the given probabilities; optionally an extra column.
func writeSyntheticData(_ path: String, seed: Int, rows: Int = 20_000, shift: Double = 0, missing: Double = 0.02,
                        categories: [Double] = [0.6, 0.3, 0.1], extraColumn: Bool = false, dropY: Bool = false) throws {
    let script = """
        import numpy as np, sys
        rng = np.random.default_rng(\(seed))
        n = \(rows)
        x = rng.normal(\(shift), 1, n)
        y = rng.normal(5, 2, n)
        missing = rng.random(n) < \(missing)
        cat = rng.choice(["a", "b", "c"], n, p=\(categories))
        with open(sys.argv[1], "w") as out:
            out.write("x," + ("" if \(dropY ? "True" : "False") else "y,") + "cat" + (",extra" if \(extraColumn ? "True" : "False") else "") + "\\n")
            for i in range(n):
                fields = [f"{x[i]:.5f}"]
                if not \(dropY ? "True" : "False"):
                    fields.append("" if missing[i] else f"{y[i]:.4f}")
                fields.append(cat[i])
                if \(extraColumn ? "True" : "False"):
                    fields.append(str(i % 7))
                out.write(",".join(fields) + "\\n")
        """
    let result = try run("/usr/bin/env", ["python3", "-c", script, path], in: "/")
    guard result.status == 0 else { throw TestFailure("numpy data generation failed: \(result.stderr)") }
}

@Suite struct DriftCommandTests {
    func trained() throws -> CLIWorkspace {
        let space = try CLIWorkspace()
        try writeSyntheticData(space.directory.url("train.csv"), seed: 100)
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git", "--dataset", "train=train.csv"]).status == 0)
        return space
    }

    @Test func dataFromTheSameDistributionIsNotFlaggedOverRepeatedSeeds() throws {
        let space = try trained()
        for seed in 1...6 {
            try writeSyntheticData(space.directory.url("today.csv"), seed: seed)
            let result = try space.run(["drift", "churn@1", "--data", "today.csv", "--json"])
            #expect(result.status == 0, "seed \(seed): \(result.stdout)")
            try expectValid(result, schema: "drift")
            let columns = try #require(try result.json()["columns"] as? [[String: Any]])
            #expect(columns.allSatisfy { $0["status"] as? String == "stable" }, "seed \(seed)")
            #expect(columns.allSatisfy { ($0["psi"] as? Double ?? 0) < 0.05 }, "seed \(seed): \(columns)")
        }
    }

    @Test func aShiftedMeanIsDetectedWithExitFour() throws {
        let space = try trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 7, shift: 0.5)
        let result = try space.run(["drift", "churn@1", "--data", "today.csv", "--json"])
        #expect(result.status == 4)
        try expectValid(result, schema: "drift")
        let columns = try #require(try result.json()["columns"] as? [[String: Any]])
        let x = try #require(columns.first)
        #expect(x["column"] as? String == "x" && x["status"] as? String == "drifted", "the drifted column sorts first")
        #expect((x["p_value"] as? Double ?? 1) < 1e-6 && (x["statistic"] as? Double ?? 0) > 0.15)
        #expect(columns.dropFirst().allSatisfy { $0["status"] as? String == "stable" })
        let text = try space.run(["drift", "churn@1", "--data", "today.csv"])
        #expect(text.status == 4 && text.stderr.hasPrefix("error: drift detected in 1 column(s): x"))
        #expect(text.stdout.contains("DRIFTED: "))
        // Numbers in the reasons read as in every other table: 4 significant digits.
        let reasons = try #require(x["reasons"] as? [String])
        let psi = try #require(x["psi"] as? Double)
        #expect(reasons.contains { $0.contains("PSI \(NumberFormat.metric(psi))") }, "\(reasons)")
    }

    @Test func categoricalMissingNewAndVanishedColumns() throws {
        let space = try trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 8, missing: 0.2, categories: [0.3, 0.2, 0.5], extraColumn: true)
        let result = try space.run(["drift", "churn@1", "--data", "today.csv", "--json"])
        #expect(result.status == 4)
        let columns = try #require(try result.json()["columns"] as? [[String: Any]])
        func status(_ name: String) -> String? { columns.first { $0["column"] as? String == name }?["status"] as? String }
        #expect(status("cat") == "drifted" && status("y") == "drifted" && status("extra") == "new" && status("x") == "stable")
        let y = columns.first { $0["column"] as? String == "y" }
        #expect((y?["reasons"] as? [String])?.contains { $0.hasPrefix("missing values") } == true)
        let cat = columns.first { $0["column"] as? String == "cat" }
        #expect(cat?["test"] as? String == "chi_square" && (cat?["p_value"] as? Double ?? 1) < 1e-10)

        try writeSyntheticData(space.directory.url("gone.csv"), seed: 9, dropY: true)
        let gone = try space.run(["drift", "churn@1", "--data", "gone.csv", "--json"])
        #expect(gone.status == 4)
        #expect((try gone.json()["columns"] as? [[String: Any]])?.first { $0["column"] as? String == "y" }?["status"] as? String == "vanished")
    }

    @Test func refusalsNameWhatIsMissing() throws {
        let space = try trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 1)
        try space.expectRefusal(["drift", "churn@1", "--data", "today.csv", "--against", "holdout"], status: 2, mentioning: "no dataset 'holdout'")
        try space.expectRefusal(["drift", "churn@1", "--data", "missing.csv"], status: 2, mentioning: "missing.csv")
        try writeFile(space.directory.url("today.parquet"), "PAR1")
        try space.expectRefusal(["drift", "churn@1", "--data", "today.parquet"], status: 64, mentioning: "not a CSV, TSV or JSON Lines file")
        try writeFile(space.directory.url("n/w.bin"), "other weights")
        #expect(try space.run(["register", "plain", "n", "--no-git"]).status == 0)
        try space.expectRefusal(["drift", "plain@1", "--data", "today.csv"], status: 2, mentioning: "records no dataset")
    }

    /// A recorded report is kept under its event's number: listed newest first a page at a time,
    /// printed again exactly as `--record` printed it, and checked by verify.
    @Test func recordedReportsAreListedShownAgainAndVerified() throws {
        let space = try trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 7, shift: 0.5)
        let first = try space.run(["drift", "churn@1", "--data", "today.csv", "--record", "--json"])
        #expect(first.status == 4, "a recorded drift still fails the run: \(first.stderr)")
        try expectValid(first, schema: "drift")
        let recorded = try #require(try first.json()["recorded"] as? [String: Any])
        let firstID = try #require(recorded["id"] as? Int)
        #expect(try first.json()["against"] as? String == "train")

        try writeSyntheticData(space.directory.url("same.csv"), seed: 3)
        let second = try space.run(["drift", "churn@1", "--data", "same.csv", "--record"])
        #expect(second.status == 0 && second.stdout.hasPrefix("drift report #"), "\(second.stdout)\(second.stderr)")
        let unrecorded = try space.run(["drift", "churn@1", "--data", "same.csv", "--json"])
        let unrecordedDocument = try unrecorded.json()
        #expect(unrecorded.status == 0 && unrecordedDocument["recorded"] == nil, "without --record nothing is kept")

        let list = try space.run(["drift", "list", "churn@1", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        try expectValid(list, schema: "drift-list")
        let reports = try #require(try list.json()["reports"] as? [[String: Any]])
        #expect(reports.count == 2 && list.stdout.contains("\"more\" : false"))
        let secondID = try #require(reports.first?["id"] as? Int)
        #expect(secondID > firstID && reports.last?["id"] as? Int == firstID, "newest first")
        #expect(reports.last?["flagged"] as? [String] == ["x"] && reports.last?["drifted"] as? Bool == true)
        #expect(reports.first?["flagged"] as? [String] == [] && reports.first?["data"] as? String == "same.csv")

        let page = try space.run(["drift", "list", "churn@1", "--limit", "1", "--json"])
        #expect((try page.json()["reports"] as? [[String: Any]])?.map { $0["id"] as? Int } == [secondID] && page.stdout.contains("\"more\" : true"))
        let next = try space.run(["drift", "list", "churn@1", "--limit", "1", "--after", "\(secondID)", "--json"])
        #expect((try next.json()["reports"] as? [[String: Any]])?.map { $0["id"] as? Int } == [firstID] && next.stdout.contains("\"more\" : false"))
        let text = try space.run(["drift", "list", "churn@1", "--limit", "1"])
        #expect(text.stdout.contains("#\(secondID)") && text.stderr.contains("mreg drift list churn@1 --after \(secondID)"))

        let shown = try space.run(["drift", "show", "churn", "\(firstID)", "--json"])
        #expect(shown.status == 0, "showing a report is not a drift check: \(shown.stderr)")
        try expectValid(shown, schema: "drift")
        #expect(NSDictionary(dictionary: try shown.json()) == NSDictionary(dictionary: try first.json()), "the report reads back as it was printed")
        let shownText = try space.run(["drift", "show", "churn", "\(firstID)"])
        #expect(shownText.stdout.hasPrefix("drift report #\(firstID), recorded ") && shownText.stdout.contains("DRIFTED: "))

        let verify = try space.run(["verify", "--all"])
        #expect(verify.status == 0 && verify.stdout.contains("4 record(s) rebuilt"), "the registration, the dataset and two reports: \(verify.stdout)")
        let history = try space.run(["history", "churn", "--records", "--json"])
        #expect(history.stdout.components(separatedBy: "\"record_drift\"").count == 3, "\(history.stdout)")
    }

    @Test func aChangedOrAddedReportRowIsAnIntegrityFailure() throws {
        let space = try trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 7, shift: 0.5)
        let id = try #require(try (space.run(["drift", "churn@1", "--data", "today.csv", "--record", "--json"]).json()["recorded"] as? [String: Any])?["id"] as? Int)
        try executeSQL(space.registry, "UPDATE drift_reports SET data_rows = 19999 WHERE event_seq = \(id)")
        let changed = "a drift report of churn@1 no longer matches what ledger event #\(id) recorded (changed: rows)"
        try space.expectRefusal(["drift", "show", "churn", "\(id)"], status: 5, mentioning: changed)
        try space.expectRefusal(["drift", "list", "churn@1"], status: 5, mentioning: changed)
        let verify = try space.run(["verify", "--all"])
        #expect(verify.status == 5 && verify.stdout.contains("RECORD_MISMATCH: " + changed), "\(verify.stdout)")
        let one = try space.run(["verify", "churn@1"])
        #expect(one.status == 5 && one.stdout.contains(changed), "verifying the version alone reads its reports too: \(one.stdout)")

        try executeSQL(space.registry, "UPDATE drift_reports SET data_rows = 20000 WHERE event_seq = \(id)")
        #expect(try space.run(["verify", "--all"]).status == 0, "put back, the report matches again")
        // A report slipped in under the registration's event number: no `record_drift` event recorded it.
        try executeSQL(space.registry, """
            INSERT INTO drift_reports SELECT 1, version_id, against, reference_dataset, reference_file, reference_rows, data, data_digest,
                data_rows, flagged_columns, results_json FROM drift_reports WHERE event_seq = \(id)
            """)
        let added = try space.run(["verify", "--all"])
        #expect(added.status == 5 && added.stdout.contains("drift report #1 of churn@1 is recorded by no ledger event"), "\(added.stdout)")
        try space.expectRefusal(["drift", "list", "churn@1"], status: 5, mentioning: "drift report #1 of churn@1 is recorded by no ledger event")
    }

    @Test func reportsThatDoNotExistAreRefusedWithNothingWritten() throws {
        let space = try trained()
        try writeSyntheticData(space.directory.url("today.csv"), seed: 1)
        let id = try #require(try (space.run(["drift", "churn@1", "--data", "today.csv", "--record", "--json"]).json()["recorded"] as? [String: Any])?["id"] as? Int)
        try space.expectRefusal(["drift", "show", "churn", "\(id + 100)"], status: 2, mentioning: "churn has no drift report #\(id + 100)")
        try space.expectRefusal(["drift", "show", "churn", "1"], status: 2, mentioning: "churn has no drift report #1")
        try writeFile(space.directory.url("n/w.bin"), "other weights")
        #expect(try space.run(["register", "plain", "n", "--no-git"]).status == 0)
        try space.expectRefusal(["drift", "show", "plain", "\(id)"], status: 2, mentioning: "plain has no drift report #\(id)")
        try space.expectRefusal(["drift", "list", "churn@1", "--limit", "0"], status: 64, mentioning: "--limit must be at least 1")
        try space.expectRefusal(["drift", "list", "churn@7"], status: 2, mentioning: "churn@7")
        let none = try space.run(["drift", "list", "plain@1"])
        #expect(none.status == 0 && none.stdout.contains("plain@1 has no recorded drift reports"))
    }
}
