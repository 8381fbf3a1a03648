import Policy
import RegistryModel
import Testing

/// Where metrics came from, synonyms, removed gates and the dotted-key hint (issue 8, points 2 and 4).
@Suite struct PolicyProvenanceTests {
    func candidate(_ metrics: [String: Double], provenance: [String: MetricProvenance]) -> CandidateFacts {
        CandidateFacts(
            reference: "churn@3", metrics: metrics, git: nil, deprecation: nil, rollback: nil, aliasesHeld: [], trustedSigners: nil,
            integrityProblems: nil, provenance: provenance)
    }

    func result(_ policy: String, _ facts: CandidateFacts, model: String = "churn") throws -> GateResult {
        let rules = try Policy.parse(policy).rules(model: model, alias: "production")
        return try #require(GateEvaluation.evaluate(rules, alias: "production", candidate: facts, incumbent: nil).results.first { $0.metric != nil })
    }

    @Test func everyMetricGateSaysWhereItsValueCameFrom() throws {
        let policy = "[aliases.production]\nmin = { \"holdout.auc\" = 0.8 }\n"
        for provenance in MetricProvenance.allCases {
            let gate = try result(policy, candidate(["holdout.auc": 0.9], provenance: ["holdout.auc": provenance]))
            #expect(gate.outcome == .passed && gate.provenance == provenance)
            #expect(gate.detail == "0.9 is at or above the floor 0.8 (\(provenance.phrase))")
            #expect(gate.jsonValue.objectValue?["provenance"] == .string(provenance.rawValue))
        }
    }

    @Test func requireComputedRefusesTypedNumbers() throws {
        for policy in [
            "[aliases.production]\nrequire_computed = true\nmin = { \"holdout.auc\" = 0.8 }\n",
            "[aliases.production]\nrequire_computed = [\"holdout.auc\"]\nmin = { \"holdout.auc\" = 0.8 }\n",
        ] {
            let typed = try result(policy, candidate(["holdout.auc": 0.99], provenance: ["holdout.auc": .reported]))
            #expect(typed.outcome == .failed)
            #expect(typed.detail.hasPrefix("0.99 was given to 'mreg evaluate' as a number; require_computed accepts only metrics computed by mreg"))
            let registered = try result(policy, candidate(["holdout.auc": 0.99], provenance: ["holdout.auc": .registered]))
            #expect(registered.outcome == .failed && registered.detail.contains("given at registration"))
            #expect(try result(policy, candidate(["holdout.auc": 0.99], provenance: ["holdout.auc": .computed])).outcome == .passed)
        }
        let other = "[aliases.production]\nrequire_computed = [\"holdout.recall\"]\nmin = { \"holdout.auc\" = 0.8 }\n"
        #expect(try result(other, candidate(["holdout.auc": 0.99], provenance: ["holdout.auc": .reported])).outcome == .passed, "only the keys named")
        #expect(throws: PolicyError.self) { try Policy.parse("[aliases.production]\nrequire_computed = \"yes\"\n") }
    }

    @Test func aMissingMetricNamesTheSynonymTheVersionHas() throws {
        let gate = try result("[aliases.production]\nmin = { \"holdout.auc\" = 0.8 }\n", candidate(["holdout.roc_auc": 0.9, "train.auc": 0.9], provenance: [:]))
        #expect(gate.outcome == .failed)
        #expect(gate.detail == "churn@3 has no metric holdout.auc, but has holdout.roc_auc, the same metric under another name: name it holdout.roc_auc in policy.toml, or record it as holdout.auc")
        let plain = try result("[aliases.production]\nmin = { \"holdout.f2\" = 0.8 }\n", candidate(["holdout.roc_auc": 0.9], provenance: [:]))
        #expect(plain.detail == "churn@3 has no metric holdout.f2")
        #expect(MetricSynonyms.alternatives(for: "holdout.ap", among: ["holdout.pr_auc", "holdout.average_precision", "other.ap"]) == ["holdout.average_precision", "holdout.pr_auc"])
    }

    @Test func aModelSectionRemovesGatesItInherits() throws {
        let policy = try Policy.parse("""
            [aliases.production]
            require_clean_git = true
            min = { "holdout.auc" = 0.9, "holdout.recall" = 0.5 }
            max = { "holdout.log_loss" = 0.4 }

            [models.regressor.aliases.production]
            remove = ["min holdout.auc", "require_clean_git", "max"]
            max = { "holdout.rmse" = 3.0 }
            """)
        let regressor = policy.rules(model: "regressor", alias: "production")
        #expect(regressor.minimums == ["holdout.recall": 0.5] && regressor.requireCleanGit == nil)
        #expect(regressor.maximums == ["holdout.rmse": 3.0], "the section's own gates apply after its removals")
        let classifier = policy.rules(model: "churn", alias: "production")
        #expect(classifier.minimums.count == 2 && classifier.requireCleanGit == true && classifier.maximums == ["holdout.log_loss": 0.4])
        do {
            _ = try Policy.parse("[models.x.aliases.production]\nremove = [\"minimum holdout.auc\"]\n")
            Issue.record("an unknown gate in remove must be refused")
        } catch {
            #expect(error.description.contains("'minimum holdout.auc' names no gate") && error.line == 2)
        }
    }

    @Test func anUnquotedDottedMetricKeyGetsTheQuotingHint() throws {
        do {
            _ = try Policy.parse("[aliases.production]\nmin = { holdout.auc = 0.95 }\n")
            Issue.record("an unquoted dotted key must be refused")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.contains("a metric key with a dot must be quoted, as in { \"holdout.auc\" = 0.95 }"), "\(error.description)")
        }
    }
}
