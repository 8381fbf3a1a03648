import Foundation
import RegistryTestSupport
import Testing

@Suite struct EvaluateCommandTests {
    /// A workspace with churn@1 (registered holdout.auc 0.5) and a binary predictions file.
    func workspace() throws -> CLIWorkspace {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        try writeFile(space.directory.url("data/holdout.csv"), "x,y\n1,0\n2,1\n")
        #expect(try space.run(["register", "churn", "m", "--no-git", "--dataset", "holdout=data/holdout.csv", "--metric", "holdout.auc=0.5"]).status == 0)
        var csv = "label,score,region\n"
        var random = SeededGenerator(seed: 1)
        for row in 0..<400 {
            let label = row % 3 == 0 ? 1 : 0
            let score = min(1, max(0, Double(random.next() % 60) / 100 + (label == 1 ? 0.35 : 0.05)))
            csv += "\(label),\(score),\(row % 2 == 0 ? "north" : "south")\n"
        }
        try writeFile(space.directory.url("preds.csv"), csv)
        return space
    }

    @Test func predictionsBecomeAnEvaluationWithIntervalsAndAKeptFile() throws {
        let space = try workspace()
        let repo = space.directory.url("evalcode")
        let (_, commit) = try makeGitRepository(at: repo, files: ["evaluate.py": "score()\n"])
        let result = try mreg(
            ["evaluate", "churn@1", "--dataset", "../data/holdout.csv", "--predictions", "../preds.csv", "--task", "binary", "--slice", "region",
             "--bootstrap", "200", "--seed", "7", "--json", "--registry", space.registry], in: repo)
        #expect(result.status == 0, "\(result.stderr)")
        try expectValid(result, schema: "evaluation")
        let document = try result.json()
        #expect(document["dataset_key"] as? String == "holdout", "the role the version gave the same file")
        #expect(document["git_commit"] as? String == commit)
        let metrics = try #require(document["metrics"] as? [[String: Any]])
        #expect(metrics.compactMap { $0["key"] as? String }.contains("holdout.roc_auc"))
        #expect(metrics.allSatisfy { ($0["ci_low"] as? Double ?? 2) <= ($0["value"] as? Double ?? -1) })
        let predictions = try #require(document["predictions"] as? String)
        #expect(try storedBlobHexes(space.registry).contains(String(predictions.dropFirst(7))))

        // The same seed gives the same intervals: an identical retry returns the evaluation recorded.
        #expect(document["created"] as? Bool == true && document["provenance"] as? String == "computed")
        let again = try mreg(
            ["evaluate", "churn@1", "--dataset", "../data/holdout.csv", "--predictions", "../preds.csv", "--task", "binary", "--slice", "region",
             "--bootstrap", "200", "--seed", "7", "--json", "--registry", space.registry], in: repo)
        #expect((try again.json()["metrics"] as? [[String: Any]])?.map { "\($0["ci_low"]!)" } == metrics.map { "\($0["ci_low"]!)" })
        #expect(try again.json()["created"] as? Bool == false && again.json()["id"] as? Int == document["id"] as? Int)
        // Other options make another evaluation.
        let other = try mreg(
            ["evaluate", "churn@1", "--dataset", "../data/holdout.csv", "--predictions", "../preds.csv", "--task", "binary", "--slice", "region",
             "--bootstrap", "200", "--seed", "8", "--json", "--registry", space.registry], in: repo)
        #expect(try other.json()["created"] as? Bool == true)
        let show = try space.run(["show", "churn@1", "--json"])
        try expectValid(show, schema: "version")
        #expect((try show.json()["evaluations"] as? [Any])?.count == 2)
        #expect(try space.run(["show", "churn@1"]).stdout.contains("disparate impact across slices"))

        // The predictions blob is referenced: gc keeps it and verify re-hashes it.
        #expect(try space.run(["gc"]).status == 0)
        #expect(try storedBlobHexes(space.registry).contains(String(predictions.dropFirst(7))))
        try assertRegistryConsistent(space.registry)
    }

    @Test func gatesReadTheLatestEvaluationOfEachDataset() throws {
        let space = try workspace()
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nmin = { \"holdout.auc\" = 0.8 }\n")
        try space.expectRefusal(["promote", "churn@1", "--to", "production"], status: 4, mentioning: "min holdout.auc")
        #expect(try space.run(["evaluate", "churn@1", "--dataset", "data/holdout.csv", "--metric", "auc=0.9", "--no-git"]).status == 0)
        let dryRun = try space.run(["promote", "churn@1", "--to", "production", "--dry-run"])
        #expect(dryRun.stdout.contains("PASS  min holdout.auc  0.9 is at or above the floor 0.8"))
        #expect(try space.run(["evaluate", "churn@1", "--dataset", "data/holdout.csv", "--metric", "holdout.auc=0.7", "--no-git"]).status == 0)
        try space.expectRefusal(["promote", "churn@1", "--to", "production"], status: 4, mentioning: "min holdout.auc")
    }

    @Test func everyTaskFromTheCommandLine() throws {
        let space = try workspace()
        try writeFile(space.directory.url("multi.jsonl"), (0..<30).map { #"{"label": "c\#($0 % 3)", "prediction": "c\#(($0 / 2) % 3)"}"# }.joined(separator: "\n"))
        try writeFile(space.directory.url("reg.tsv"), "truth\tguess\n" + (0..<30).map { "\($0)\t\(Double($0) + 0.5)" }.joined(separator: "\n"))
        try writeFile(space.directory.url("rank.csv"), "query,relevance,score\n" + (0..<40).map { "q\($0 / 8),\($0 % 8 == 3 ? 1 : 0),\(Double(8 - $0 % 8))" }.joined(separator: "\n"))
        for arguments in [
            ["--predictions", "multi.jsonl", "--task", "multiclass"],
            ["--predictions", "reg.tsv", "--task", "regression", "--label-column", "truth", "--prediction-column", "guess", "--features", "3"],
            ["--predictions", "rank.csv", "--task", "ranking", "--k", "3"],
        ] {
            let result = try space.run(["evaluate", "churn@1", "--dataset", "data/holdout.csv", "--bootstrap", "50", "--no-git", "--json"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            try expectValid(result, schema: "evaluation")
            let values = Dictionary(uniqueKeysWithValues: (try #require(try result.json()["metrics"] as? [[String: Any]])).map {
                ($0["name"] as! String, $0["value"] as! Double)
            })
            switch arguments[3] {
            case "multiclass":
                // Rows i = 0…29: label c(i mod 3), prediction c((i / 2) mod 3).
                let right = (0..<30).filter { $0 % 3 == ($0 / 2) % 3 }.count
                #expect(values["accuracy"] == Double(right) / 30)
            case "regression":
                // Every guess is 0.5 above the truth.
                #expect(values["mae"] == 0.5 && values["rmse"] == 0.5 && values["mse"] == 0.25)
            default:
                #expect(values["map"] == 0.25, "each query's one relevant item is ranked 4th")
            }
        }
        let ranking = try space.run(["evaluate", "churn@1", "--dataset", "data/holdout.csv", "--predictions", "rank.csv", "--task", "ranking", "--k", "3", "--bootstrap", "0", "--no-git"])
        // Every query's one relevant item is ranked 4th: MRR 1/4, nothing in the top 3.
        #expect(ranking.stdout.contains("holdout.mrr             0.25") && ranking.stdout.contains("holdout.precision_at_3  0"))
    }

    @Test func unusableInputsAreRefusedAndChangeNothing() throws {
        let space = try workspace()
        try writeFile(space.directory.url("bad.csv"), "label,score\n1,0.4\n0,high\n")
        try writeFile(space.directory.url("nolabel.csv"), "y,score\n1,0.4\n")
        try writeFile(space.directory.url("badlabel.csv"), "label,score\n1,0.4\n\n0,0.3\n\"2\",0.5\n")
        try writeFile(space.directory.url("gap.csv"), "label,score\n1,0.4\n0,\n")
        let base = ["evaluate", "churn@1", "--dataset", "data/holdout.csv", "--no-git"]
        try space.expectRefusal(base + ["--predictions", "preds.csv"], status: 64, mentioning: "--task")
        try space.expectRefusal(base + ["--predictions", "preds.csv", "--task", "binary", "--metric", "auc=1"], status: 64, mentioning: "not both")
        // Every problem names the file line, counted as an editor counts it, and only hints that apply.
        try space.expectRefusal(base + ["--predictions", "bad.csv", "--task", "binary"], status: 64, mentioning: "predictions file 'bad.csv' line 3: column 'score' is 'high', not a number")
        try space.expectRefusal(base + ["--predictions", "badlabel.csv", "--task", "binary"], status: 64, mentioning: "predictions file 'badlabel.csv' line 5: binary labels must be 0/1")
        try space.expectRefusal(base + ["--predictions", "gap.csv", "--task", "binary"], status: 64, mentioning: "predictions file 'gap.csv' line 3: there is no value for column 'score'")
        let gap = try space.run(base + ["--predictions", "gap.csv", "--task", "binary"])
        #expect(!gap.stderr.contains("--label-column"), "a hint about column names does not apply to a missing value")
        try space.expectRefusal(base + ["--predictions", "nolabel.csv", "--task", "binary"], status: 64, mentioning: "there is no column 'label' (the header has y, score); name the columns with --label-column")
        try space.expectRefusal(base + ["--predictions", "preds.csv", "--task", "binray"], status: 64, mentioning: "did you mean 'binary'?")
        try space.expectRefusal(base + ["--metric", "train.auc=0.9"], status: 64, mentioning: "belongs to dataset 'train'")
        try space.expectRefusal(base, status: 64, mentioning: "give --metric")
        try space.expectRefusal(["evaluate", "churn@1", "--dataset", "nope.csv", "--metric", "auc=1", "--no-git"], status: 2, mentioning: "'nope.csv' is neither one of churn@1's dataset roles, a recorded dataset name nor an existing path")
        try space.expectRefusal(["evaluate", "churn@9", "--dataset", "data/holdout.csv", "--metric", "auc=1", "--no-git"], status: 2, mentioning: "names no version")
    }
}

@Suite struct CompareCommandTests {
    @Test func storedPredictionsOfTwoVersionsAreComparedPairwise() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("data/holdout.csv"), "x\n1\n")
        let (weak, strong) = pairedPredictions(
            seed: 5, rows: 1500, weak: { label, noise in min(1, max(0, noise * 0.9 + (label == 1 ? 0.08 : 0))) },
            strong: { label, noise in min(1, max(0, noise * 0.6 + (label == 1 ? 0.35 : 0.05))) })
        try writeFile(space.directory.url("weak.csv"), weak)
        try writeFile(space.directory.url("strong.jsonl"), strong.split(separator: "\n").dropFirst().map { line in
            let parts = line.split(separator: ",")
            return #"{"label": \#(parts[0]), "score": \#(parts[1])}"#
        }.joined(separator: "\n"))
        for (version, file) in [("1", "weak.csv"), ("2", "strong.jsonl")] {
            try writeFile(space.directory.url("m\(version)/w.bin"), "weights \(version)")
            #expect(try space.run(["register", "churn", "m\(version)", "--no-git", "--dataset", "holdout=data/holdout.csv"]).status == 0)
            let evaluated = try space.run(["evaluate", "churn@\(version)", "--dataset", "holdout", "--predictions", file, "--task", "binary", "--bootstrap", "0", "--no-git"])
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
        }
        let result = try space.run(["compare", "churn@1", "churn@2", "--dataset", "holdout", "--bootstrap", "300", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        try expectValid(result, schema: "compare")
        let document = try result.json()
        #expect(document["source_a"] as? String == "evaluation #1" && document["examples"] as? Int == 1500)
        let auc = (document["differences"] as? [[String: Any]])?.first { $0["metric"] as? String == "roc_auc" }
        #expect(auc?["significant"] as? Bool == true && auc?["improved"] as? Bool == true)
        let text = try space.run(["compare", "churn@1", "churn@2", "--dataset", "holdout", "--bootstrap", "300"])
        #expect(text.stdout.contains("B better (significant)") && text.stdout.contains("McNemar"))

        try space.expectRefusal(["compare", "churn@1", "churn@2", "--dataset", "train"], status: 2, mentioning: "no evaluation on 'train' with stored predictions")
        // Files given directly: the same comparison; mismatched rows are refused.
        let files = try space.run(["compare", "churn@1", "churn@2", "--dataset", "holdout", "--predictions-a", "weak.csv", "--predictions-b", "weak.csv", "--task", "binary", "--bootstrap", "100", "--json"])
        #expect((try files.json()["differences"] as? [[String: Any]])?.allSatisfy { $0["significant"] as? Bool == false } == true)
        try writeFile(space.directory.url("short.csv"), "label,score\n1,0.5\n")
        try space.expectRefusal(["compare", "churn@1", "churn@2", "--dataset", "holdout", "--predictions-a", "weak.csv", "--predictions-b", "short.csv", "--task", "binary"], status: 64, mentioning: "same examples")
        try space.expectRefusal(["compare", "churn@1", "churn@2", "--dataset", "holdout", "--predictions-a", "weak.csv"], status: 64, mentioning: "give both")
    }
}

extension CompareCommandTests {
    @Test func theSignificantImprovementGateComparesWithTheCurrentHolder() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("data/holdout.csv"), "x\n1\n")
        var random = SeededGenerator(seed: 8)
        var files = ["", "", ""]
        for index in files.indices { files[index] = "label,score\n" }
        for _ in 0..<1200 {
            let label = random.next() % 2
            let noise = Double(random.next() % 1000) / 1000
            files[0] += "\(label),\(min(1, noise * 0.9 + (label == 1 ? 0.08 : 0)))\n"              // weak
            files[1] += "\(label),\(min(1, noise * 0.6 + (label == 1 ? 0.35 : 0.05)))\n"            // strong
            files[2] += "\(label),\(min(1, noise * 0.6 + (label == 1 ? 0.35 : 0.05)))\n"            // the same as strong
        }
        for (index, text) in files.enumerated() {
            try writeFile(space.directory.url("p\(index).csv"), text)
            try writeFile(space.directory.url("m\(index)/w.bin"), "weights \(index)")
            #expect(try space.run(["register", "churn", "m\(index)", "--no-git", "--dataset", "holdout=data/holdout.csv"]).status == 0)
            #expect(try space.run(["evaluate", "churn@\(index + 1)", "--dataset", "holdout", "--predictions", "p\(index).csv", "--task", "binary", "--bootstrap", "0", "--no-git"]).status == 0)
        }
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nsignificant_improvement = { \"holdout.roc_auc\" = 0.05 }\n")
        let first = try space.run(["promote", "churn@1", "--to", "production"])
        #expect(first.status == 0 && first.stdout.contains("N/A   significant_improvement holdout.roc_auc"))
        let better = try space.run(["promote", "churn@2", "--to", "production", "--json"])
        #expect(better.status == 0, "\(better.stdout)")
        try expectValid(better, schema: "promote")
        // Version 3 predicts exactly as version 2 does: not significantly better, refused.
        try space.expectRefusal(["promote", "churn@3", "--to", "production"], status: 4, mentioning: "significant_improvement holdout.roc_auc")
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nsignificant_improvement = { \"holdout.roc_auc\" = 0.7 }\n")
        try space.expectRefusal(["policy"], status: 64, mentioning: "between 0 and 0.5")
    }
}
