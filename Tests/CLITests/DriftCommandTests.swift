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
}
