import RegistryStorage
import Foundation
import Policy
import RegistryModel

/// A request to point an alias at a version.
public struct PromotionRequest: Sendable {
    public let reference: String
    public let alias: String
    public let reason: String?
    /// Overrides failed gates; only together with a reason, which is recorded with them.
    public let force: Bool
    public let dryRun: Bool
    public let actor: Registrant

    public init(reference: String, alias: String, reason: String?, force: Bool, dryRun: Bool, actor: Registrant) {
        self.reference = reference
        self.alias = alias
        self.reason = reason
        self.force = force
        self.dryRun = dryRun
        self.actor = actor
    }
}

/// What a promotion did, with the gate report it was decided on.
public struct PromotionOutcome: Sendable {
    public enum Result: Sendable, Equatable {
        /// The alias moved; the event records it.
        case moved(RecordedEvent)
        /// The alias already pointed at the version; nothing was written.
        case unchanged
        /// A gate failed and there was no `--force`; nothing was written.
        case refused
        /// `--dry-run`: the report only.
        case dryRun
    }

    public let version: VersionPointer
    public let alias: AliasName
    /// The version the alias pointed at when the decision was made.
    public let previous: VersionPointer?
    public let report: GateReport
    public let result: Result
    /// What in the policy names something that does not exist (see `policyWarnings`).
    public let warnings: [String]
    /// Whether the alias moved, or with `--dry-run` would move (every gate passes).
    public var wouldMove: Bool {
        switch result {
        case .moved: true
        case .dryRun: report.passed
        case .unchanged, .refused: false
        }
    }
    /// Failed gates were overridden by `--force`.
    public var forced: Bool {
        if case .moved(let recorded) = result { return recorded.event.forced }
        return false
    }
}

extension Registry {
    /// How often a promotion re-evaluates its gates when racing writers keep moving the alias.
    static let raceRetries = 20

    /// Evaluates the alias's gates for the version and, when they pass (or are forced with a
    /// reason), moves the alias and appends its event in one transaction.
    public func promote(_ request: PromotionRequest, progress: (any ProgressDisplay)? = nil) throws(RegistryError) -> PromotionOutcome {
        let outcome = try decidePromotion(request, progress: progress)
        observer?.promoted(outcome)
        return outcome
    }

    private func decidePromotion(_ request: PromotionRequest, progress: (any ProgressDisplay)?) throws(RegistryError) -> PromotionOutcome {
        let alias = try Self.aliasName(request.alias)
        if request.force && Self.isBlank(request.reason) {
            throw .usage("--force needs --reason TEXT: an overridden gate is recorded with why", hint: "add --reason \"…\"")
        }
        let (record, events) = try resolveChecked(try VersionRef.parse(request.reference))
        let version = VersionPointer(model: record.model, number: record.number, manifestDigest: record.manifestDigest)
        let policy = try policy()
        let rules = policy.rules(model: record.model.value, alias: alias.value)
        let warnings = try policyWarnings(policy, model: nil)

        // The candidate's checked metrics, signatures and blob re-hashing do not depend on the
        // alias's holder: done once, not on every retry of a race.
        let metrics = try gateMetrics(of: record, events: events)
        let signers = rules.requireSignature == true ? try trustedSigners(of: record) : nil
        let integrity = rules.requireVerified == true
            ? try damage(of: record.id, progress: progress).map(\.detail) : nil

        for _ in 0..<Self.raceRetries {
            let holderID = try database { (db) throws(MetadataError) in try db.holder(model: record.model, alias: alias) }
            let checkedHolder = try holderID.flatMap { (id) throws(RegistryError) -> (record: VersionRecord, events: [StoredEvent])? in
                guard let holder = try database({ (db) throws(MetadataError) in try db.record(id: id) }) else { return nil }
                return (holder, try checkFacts(of: holder))
            }
            let incumbent = checkedHolder?.record
            let status = try database { (db) throws(MetadataError) in try db.status(versionID: record.id) }
            // Not even with --force: a deleted version's files may already be gone.
            if let deletion = status.deletion { throw Self.deletedVersion(version.reference, deletion, cannot: "be promoted") }
            let held = try database { (db) throws(MetadataError) in try db.aliasesEverHeld(versionID: record.id) }
            var comparisons = [String: ImprovementFact]()
            if let holder = incumbent {
                for (key, level) in rules.significantImprovement {
                    comparisons[key] = improvement(of: record, over: holder, key: key, level: level)
                }
            }
            let facts = CandidateFacts(
                reference: version.reference, metrics: metrics.mapValues(\.value), git: record.git.map { ($0.commit, $0.dirty) },
                deprecation: status.deprecation, rollback: status.rollback(from: alias.value), aliasesHeld: held, trustedSigners: signers,
                integrityProblems: integrity, comparisons: comparisons, provenance: metrics.mapValues(\.provenance))
            let report = GateEvaluation.evaluate(
                rules, alias: alias.value, candidate: facts,
                incumbent: try checkedHolder.map { (holder, events) throws(RegistryError) in
                    IncumbentFacts(reference: "\(holder.model)@\(holder.number)", metrics: try gateMetrics(of: holder, events: events).mapValues(\.value))
                })
            let previous = incumbent.map { VersionPointer(model: $0.model, number: $0.number, manifestDigest: $0.manifestDigest) }
            func outcome(_ result: PromotionOutcome.Result) -> PromotionOutcome {
                PromotionOutcome(version: version, alias: alias, previous: previous, report: report, result: result, warnings: warnings)
            }
            if holderID == record.id { return outcome(.unchanged) }
            if request.dryRun { return outcome(.dryRun) }
            if !report.passed && !request.force { return outcome(.refused) }
            let draft = EventDraft(
                model: record.model, alias: alias, action: .promote, toVersionID: record.id, at: clock(), actor: request.actor,
                reason: Self.trimmed(request.reason), forced: !report.passed, gates: try Self.gatesJSON(report), expectedHolderID: .some(holderID),
                requirement: .live)
            switch try appendEvent(draft) {
            case .appended(let event): return outcome(.moved(event))
            case .unchanged: return outcome(.unchanged)
            // Deleted meanwhile: the next round reads its deletion and says so.
            case .holderChanged, .versionDeleted: continue
            case .versionHoldsAliases: throw .bug("a promotion's event was checked as a deletion")
            }
        }
        throw RegistryError(
            .conflict, "alias '\(alias)' of '\(record.model)' kept moving while its gates were evaluated",
            hint: "other promotions are running; run this one again")
    }

    /// Clears an alias (it then points at no version); the event records who and why.
    public func demote(model name: String, alias aliasText: String, reason: String?, actor: Registrant) throws(RegistryError) -> (previous: VersionPointer?, event: RecordedEvent?) {
        let model = try Self.modelName(name)
        let alias = try Self.aliasName(aliasText)
        try requireModel(model)
        let history = try database { (db) throws(MetadataError) in try db.events(model: model, alias: alias, limit: 1) }
        guard let last = history.events.first else {
            throw .notFound("model '\(model)' has no alias '\(alias)'", hint: "run 'mreg list \(model)' to see its aliases")
        }
        let draft = EventDraft(
            model: model, alias: alias, action: .demote, toVersionID: nil, at: clock(), actor: actor, reason: Self.trimmed(reason),
            forced: false, gates: "[]", expectedHolderID: nil)
        switch try appendEvent(draft) {
        case .appended(let event): return (event.event.from, event)
        case .unchanged, .holderChanged, .versionDeleted, .versionHoldsAliases: return (last.event.to, nil)
        }
    }

    /// Compares the candidate with the current holder on `key` (DATASET.METRIC) from the
    /// predictions stored with each one's latest evaluation on that dataset: 1,000 paired
    /// bootstrap rounds, seed 0, an interval at 1 − `level`.
    func improvement(of candidate: VersionRecord, over holder: VersionRecord, key: String, level: Double) -> ImprovementFact {
        guard let dot = key.firstIndex(of: ".") else {
            return .unavailable("significant_improvement needs a DATASET.METRIC key, not '\(key)'")
        }
        let dataset = String(key[..<dot]), metric = String(key[key.index(after: dot)...])
        do {
            let outcome = try compare(
                "\(holder.model)@\(holder.number)", "\(candidate.model)@\(candidate.number)", predictionsA: nil, predictionsB: nil,
                settings: ComparisonSettings(datasetKey: dataset, task: nil, threshold: nil, rounds: 1000, seed: 0, level: 1 - level), currentDirectory: "/")
            guard let difference = outcome.report.differences.first(where: { $0.metric == metric }), let interval = difference.interval else {
                return .unavailable("the \(outcome.task.rawValue) evaluations on \(dataset) have no metric \(metric)")
            }
            return .compared(difference: difference.difference, interval: interval, significantImprovement: difference.significant && difference.improved)
        } catch {
            return .unavailable(error.message)
        }
    }

    /// What re-hashing a version finds wrong with its bytes, manifest or signatures. A signature
    /// by a key the registry no longer trusts says nothing about the bytes, so it does not count:
    /// a key rotation must never block an emergency rollback.
    func damage(of version: VersionKey, progress: (any ProgressDisplay)?) throws(RegistryError) -> [IntegrityProblem] {
        try verify(ids: [version], progress: progress).problems.filter { $0.kind != .untrustedSignature }
    }

    /// Appends an event, hashing it with the store's SHA-256.
    func appendEvent(_ draft: EventDraft) throws(RegistryError) -> AppendOutcome {
        let delay = ledgerCommitDelay
        return try database { (db) throws(MetadataError) in
            try db.appendEvent(draft, seal: Self.sealEvent, stallBeforeCommit: delay)
        }
    }

    /// The metrics gates read, with where each came from: those recorded at registration,
    /// overridden by the latest evaluation on each dataset (README, "Evaluations"), every one
    /// checked against its digest. `events` are the version's fact events when already read.
    func gateMetrics(
        of record: VersionRecord, events: [StoredEvent]? = nil
    ) throws(RegistryError) -> [String: (value: Double, provenance: MetricProvenance)] {
        var metrics = [String: (value: Double, provenance: MetricProvenance)]()
        for metric in record.metrics { metrics[metric.key] = (metric.value, .registered) }
        var latest = [String: EvaluationRecord]()
        for evaluation in try checkedEvaluations(of: record, events: events) { latest[evaluation.datasetKey] = evaluation }
        for (key, evaluation) in latest {
            for metric in evaluation.metrics { metrics["\(key).\(metric.name)"] = (metric.value, evaluation.provenance) }
        }
        return metrics
    }

    /// The gate report as the ledger keeps it; a report that cannot be encoded is a bug, never an empty list.
    static func gatesJSON(_ report: GateReport) throws(RegistryError) -> String {
        String(decoding: try documentBytes(report.jsonValue, what: "gate report"), as: UTF8.self)
    }

    static func aliasName(_ text: String) throws(RegistryError) -> AliasName {
        do {
            return try AliasName(text)
        } catch {
            throw RegistryError(error)
        }
    }

    static func modelName(_ text: String) throws(RegistryError) -> ModelName {
        do {
            return try ModelName(text)
        } catch {
            throw RegistryError(error)
        }
    }

    static func isBlank(_ text: String?) -> Bool {
        trimmed(text) == nil
    }

    static func trimmed(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
