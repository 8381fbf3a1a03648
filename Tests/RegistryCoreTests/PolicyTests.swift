import Policy
import RegistryModel
import Testing

@Suite struct PolicyParsingTests {
    static let example = """
        lower_is_better = ["log_loss", "rmse"]

        [aliases.staging]
        min = { "holdout.auc" = 0.75 }

        [aliases.production]
        require_clean_git = true          # the version's commit had a clean work tree
        require_signature = true
        require_verified = true
        require_from = "staging"
        min = { "holdout.auc" = 0.80 }
        max = { "holdout.log_loss" = 0.45 }
        no_regression = { "holdout.auc" = 0.005 }

        [models.churn.aliases.production]
        min = { "holdout.auc" = 0.85 }
        require_verified = false
        """

    @Test func readsTheDocumentedExampleAndMergesModelOverrides() throws {
        let policy = try Policy.parse(Self.example)
        let general = policy.rules(model: "fraud", alias: "production")
        #expect(general.requireCleanGit == true && general.requireSignature == true && general.requireVerified == true)
        #expect(general.requireFrom == "staging")
        #expect(general.minimums == ["holdout.auc": 0.80])
        #expect(general.maximums == ["holdout.log_loss": 0.45])
        #expect(general.noRegression == ["holdout.auc": 0.005])
        #expect(general.lowerIsBetter == ["log_loss", "rmse"])
        let churn = policy.rules(model: "churn", alias: "production")
        #expect(churn.minimums == ["holdout.auc": 0.85])
        #expect(churn.requireVerified == false)
        #expect(churn.requireSignature == true, "settings the override does not name stay")
        #expect(policy.rules(model: "churn", alias: "canary").isEmpty == false, "the top-level lower_is_better applies everywhere")
        #expect(policy.rules(model: "churn", alias: "canary").minimums.isEmpty)
    }

    @Test(arguments: [
        ("[aliases.production]\nrequire_clean_git = \"yes\"", 2, "aliases.production.require_clean_git", "must be true or false, not a string"),
        ("[aliases.production]\n\nrequre_signature = true", 3, "aliases.production.requre_signature", "unknown gate"),
        ("[aliases.production]\nmin = { \"holdout.auc\" = \"high\" }", 2, "aliases.production.min.\"holdout.auc\"", "must be a number"),
        ("[aliases.production]\nmin = 0.8", 2, "aliases.production.min", "a table of metric thresholds"),
        ("[aliases.production]\nno_regression = { auc = -0.1 }", 2, "aliases.production.no_regression.auc", "0 or more"),
        ("[aliases.production]\nmin = { \".auc\" = 0.1 }", 2, "aliases.production.min.\".auc\"", "empty dataset"),
        ("[aliases.Production]\nmin = { auc = 0.1 }", 1, "aliases.Production", "invalid alias"),
        ("[aliases.v2]", 1, "aliases.v2", "version number"),
        ("[aliases.production]\nrequire_from = \"latest\"", 2, "aliases.production.require_from", "reserved"),
        ("[models.Churn.aliases.production]", 1, "models.Churn", "invalid model name"),
        ("[models.churn]\nmin = { auc = 1 }", 2, "models.churn.min", "unknown key"),
        ("[promotion]", 1, "promotion", "unknown key"),
        ("lower_is_better = \"rmse\"", 1, "lower_is_better", "must be an array"),
        ("[aliases.production]\nlower_is_better = [1]", 2, "aliases.production.lower_is_better", "only metric names"),
        ("[aliases.production]\nmin = { auc = nan }", 2, "aliases.production.min.auc", "finite"),
    ])
    func errorsNameTheLineAndTheKey(text: String, line: Int, key: String, problem: String) {
        #expect {
            _ = try Policy.parse(text)
        } throws: { error in
            guard let error = error as? PolicyError else { return false }
            return error.line == line && error.key == key && error.problem.contains(problem) && error.description.contains("line \(line)")
        }
    }

    @Test func syntaxErrorsNameTheLine() {
        #expect {
            _ = try Policy.parse("[aliases.production]\nmin = { \"holdout.auc\" = 0.8\n")
        } throws: { error in
            (error as? PolicyError)?.line == 2 && (error as? PolicyError)?.key == nil
        }
    }
}

@Suite struct GateEvaluationTests {
    func candidate(
        metrics: [String: Double] = ["holdout.auc": 0.9, "holdout.log_loss": 0.3], git: (commit: String, dirty: Bool)? = ("abc123", false),
        deprecation: String? = nil, rollback: String? = nil, held: Set<String> = [], signers: [String]? = nil, problems: [String]? = nil
    ) -> CandidateFacts {
        CandidateFacts(
            reference: "churn@7", metrics: metrics, git: git, deprecation: deprecation, rollback: rollback, aliasesHeld: held,
            trustedSigners: signers, integrityProblems: problems)
    }

    func outcome(_ report: GateReport, _ label: String) -> GateOutcome? {
        report.results.first { $0.label == label }?.outcome
    }

    @Test func everyGatePassesAndFails() {
        var rules = AliasRules()
        rules.requireCleanGit = true
        rules.requireSignature = true
        rules.requireVerified = true
        rules.requireFrom = "staging"
        rules.minimums = ["holdout.auc": 0.8]
        rules.maximums = ["holdout.log_loss": 0.45]
        let good = GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(held: ["staging"], signers: ["release"], problems: []), incumbent: nil)
        #expect(good.passed)
        #expect(good.results.map(\.label) == ["status", "require_clean_git", "require_signature", "require_verified", "require_from", "min holdout.auc", "max holdout.log_loss"])

        let bad = GateEvaluation.evaluate(
            rules, alias: "production",
            candidate: candidate(metrics: ["holdout.auc": 0.79, "holdout.log_loss": 0.46], git: ("abc123", true), signers: [], problems: ["blob x is corrupt"]),
            incumbent: nil)
        #expect(bad.failures.map(\.label) == ["require_clean_git", "require_signature", "require_verified", "require_from", "min holdout.auc", "max holdout.log_loss"])
        let floor = bad.results.first { $0.label == "min holdout.auc" }!
        #expect(floor.actual == .number(0.79) && floor.required == .number(0.8))
        #expect(floor.detail == "0.79 is below the floor 0.8")
    }

    @Test func aMissingMetricOrCommitFailsRatherThanPasses() {
        var rules = AliasRules()
        rules.requireCleanGit = true
        rules.minimums = ["holdout.auc": 0.8]
        rules.noRegression = ["holdout.recall": 0.01]
        let report = GateEvaluation.evaluate(
            rules, alias: "production", candidate: candidate(metrics: [:], git: nil),
            incumbent: IncumbentFacts(reference: "churn@5", metrics: ["holdout.recall": 0.5]))
        #expect(outcome(report, "require_clean_git") == .failed)
        #expect(outcome(report, "min holdout.auc") == .failed)
        #expect(outcome(report, "no_regression holdout.recall") == .failed)
        #expect(report.results.first { $0.label == "min holdout.auc" }?.detail == "churn@7 has no metric holdout.auc")
    }

    @Test func noRegressionRespectsEachMetricsDirectionAndTolerance() {
        var rules = AliasRules()
        rules.noRegression = ["holdout.auc": 0.005, "holdout.log_loss": 0.01, "holdout.latency_ms": 0]
        let incumbent = IncumbentFacts(reference: "churn@5", metrics: ["holdout.auc": 0.90, "holdout.log_loss": 0.30, "holdout.latency_ms": 20])
        // auc 0.896 is 0.004 worse (within 0.005); log_loss 0.315 is 0.015 worse (lower is better); latency equal.
        let report = GateEvaluation.evaluate(
            rules, alias: "production",
            candidate: candidate(metrics: ["holdout.auc": 0.896, "holdout.log_loss": 0.315, "holdout.latency_ms": 20]), incumbent: incumbent)
        #expect(outcome(report, "no_regression holdout.auc") == .passed)
        #expect(outcome(report, "no_regression holdout.log_loss") == .failed)
        #expect(outcome(report, "no_regression holdout.latency_ms") == .passed)
        let logLoss = report.results.first { $0.label == "no_regression holdout.log_loss" }!
        #expect(logLoss.required == .number(0.31))

        // A lower log loss is an improvement, not a regression; a higher auc likewise.
        let better = GateEvaluation.evaluate(
            rules, alias: "production", candidate: candidate(metrics: ["holdout.auc": 0.95, "holdout.log_loss": 0.1, "holdout.latency_ms": 10]),
            incumbent: incumbent)
        #expect(better.passed)

        // Policy-defined direction overrides the default list.
        rules.lowerIsBetter = ["auc"]
        let flipped = GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(metrics: ["holdout.auc": 0.95, "holdout.log_loss": 0.3, "holdout.latency_ms": 20]), incumbent: incumbent)
        #expect(outcome(flipped, "no_regression holdout.auc") == .failed)
        #expect(outcome(flipped, "no_regression holdout.log_loss") == .passed, "log_loss is 'higher is better' once the list omits it")
    }

    @Test func noRegressionIsNotApplicableWithoutAnIncumbentOrItsMetric() {
        var rules = AliasRules()
        rules.noRegression = ["holdout.auc": 0.005]
        #expect(outcome(GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(), incumbent: nil), "no_regression holdout.auc") == .notApplicable)
        let withoutMetric = IncumbentFacts(reference: "churn@5", metrics: [:])
        #expect(outcome(GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(), incumbent: withoutMetric), "no_regression holdout.auc") == .notApplicable)
    }

    @Test func deprecatedAndRolledBackVersionsFailTheStatusGate() {
        let rules = AliasRules()
        #expect(GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(), incumbent: nil).passed)
        let deprecated = GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(deprecation: "leaky data"), incumbent: nil)
        #expect(deprecated.failures.map(\.detail) == ["churn@7 is deprecated: leaky data"])
        let rolledBack = GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(rollback: "from production: INC-1"), incumbent: nil)
        #expect(outcome(rolledBack, "status") == .failed)
    }

    @Test func theReportIsRecordedAsCanonicalJSON() throws {
        var rules = AliasRules()
        rules.minimums = ["auc": 0.5]
        let report = GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(metrics: ["auc": 0.75]), incumbent: nil)
        let text = try CanonicalJSON.string(report.jsonValue)
        #expect(text.contains(#"{"actual":0.75,"detail":"0.75 is at or above the floor 0.5","gate":"min","metric":"auc","outcome":"passed","required":0.5}"#))
    }
}

@Suite struct SignificantImprovementGateTests {
    @Test func theGateFollowsTheComparison() throws {
        let policy = try Policy.parse("[aliases.production]\nsignificant_improvement = { \"holdout.auc\" = 0.05 }\n")
        let rules = policy.rules(model: "churn", alias: "production")
        #expect(rules.significantImprovement == ["holdout.auc": 0.05])
        func candidate(_ fact: ImprovementFact?) -> CandidateFacts {
            CandidateFacts(
                reference: "churn@7", metrics: [:], git: nil, deprecation: nil, rollback: nil, aliasesHeld: [], trustedSigners: nil,
                integrityProblems: nil, comparisons: fact.map { ["holdout.auc": $0] } ?? [:])
        }
        let holder = IncumbentFacts(reference: "churn@5", metrics: [:])
        func outcome(_ fact: ImprovementFact?, incumbent: IncumbentFacts? = holder) -> GateOutcome? {
            GateEvaluation.evaluate(rules, alias: "production", candidate: candidate(fact), incumbent: incumbent).results.last?.outcome
        }
        #expect(outcome(.compared(difference: 0.03, interval: 0.01...0.05, significantImprovement: true)) == .passed)
        #expect(outcome(.compared(difference: 0.01, interval: -0.01...0.03, significantImprovement: false)) == .failed)
        #expect(outcome(.unavailable("no stored predictions")) == .failed)
        #expect(outcome(nil, incumbent: nil) == .notApplicable)
        #expect(throws: PolicyError.self) { try Policy.parse("[aliases.production]\nsignificant_improvement = { \"holdout.auc\" = 0 }\n") }
    }
}
