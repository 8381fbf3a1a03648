import Foundation
import RegistryStorage
import RegistryModel

/// What retention deleted (or, without `apply`, would delete), model by model.
public struct RetentionOutcome: Sendable {
    public struct Deletion: Sendable {
        public let number: Int
        public let createdAt: Date
        /// Which limits it is past, in words.
        public let why: String
        /// The `delete` event, when applied.
        public let event: RecordedEvent?
    }

    public struct ModelRetention: Sendable {
        public let model: ModelName
        public let rule: RetentionRules.Rule
        public let deletions: [Deletion]
        /// Versions past the limits kept because they hold an alias now or ever held a protected one.
        public let protected: [Int]
        /// Versions that could not be deleted when applied (one gained an alias meanwhile), with why.
        public let skipped: [(number: Int, problem: String)]
    }

    /// False when `config.toml` has no `[retention]` section: nothing is deleted.
    public let configured: Bool
    public let applied: Bool
    public let models: [ModelRetention]
}

extension Registry {
    /// Versions read per page while retention walks a model newest first.
    static let retentionPage = 500

    /// Finds the versions `[retention]` lets go, in one model or in every model `include`
    /// accepts, and with `apply` deletes each as `delete` does (one ledger event each, with the
    /// rule as its reason).
    public func retention(
        model name: String?, apply: Bool, actor: Registrant, include: (ModelName) -> Bool = { _ in true }
    ) throws(RegistryError) -> RetentionOutcome {
        guard let rules = try config().retention else { return RetentionOutcome(configured: false, applied: apply, models: []) }
        let models: [ModelName]
        if let name {
            let model = try Self.modelName(name)
            try requireModel(model)
            models = [model]
        } else {
            models = try database { (db) throws(MetadataError) in try db.models() }.map(\.name).filter(include)
        }
        var results = [RetentionOutcome.ModelRetention]()
        for model in models {
            let rule = rules.rule(for: model.value)
            guard rule.limits else { continue }
            results.append(try retention(of: model, rule: rule, apply: apply, actor: actor))
        }
        return RetentionOutcome(configured: true, applied: apply, models: results)
    }

    /// Walks one model's live versions newest first, a page at a time.
    private func retention(of model: ModelName, rule: RetentionRules.Rule, apply: Bool, actor: Registrant) throws(RegistryError) -> RetentionOutcome.ModelRetention {
        let protectedAliases = try rule.protectAliases.map { (text) throws(RegistryError) in try Self.aliasName(text) }
        var protected = try database { (db) throws(MetadataError) in try db.versionsEverHolding(model: model, aliases: protectedAliases) }
        protected.formUnion(try database { (db) throws(MetadataError) in try db.aliases(of: model) }.values.map(\.number))
        let now = clock()
        var deletions = [RetentionOutcome.Deletion](), kept = [Int](), skipped = [(number: Int, problem: String)]()
        var seen = 0
        var after: Int?
        while true {
            let page = try database { (db) throws(MetadataError) in
                try db.versions(of: model, limit: Self.retentionPage, after: after, deleted: false).versions
            }
            for version in page {
                seen += 1
                if let keep = rule.keepLast, seen <= keep { continue }
                if let age = rule.minAge, now.timeIntervalSince(version.createdAt) < age.seconds { continue }
                if protected.contains(version.number) {
                    kept.append(version.number)
                    continue
                }
                let why = [
                    rule.keepLast.map { "not among the newest \($0)" },
                    rule.minAge.map { "registered \(Timestamp.format(version.createdAt)), more than \($0.text) ago" },
                ].compactMap { $0 }.joined(separator: "; ")
                var event: RecordedEvent?
                if apply {
                    do {
                        event = try delete(reference: "\(model)@\(version.number)", reason: "retention (\(rule.summary)): \(why)", actor: actor).event
                    } catch where error.kind == .refused {
                        skipped.append((version.number, error.message))
                        continue
                    }
                }
                deletions.append(RetentionOutcome.Deletion(number: version.number, createdAt: version.createdAt, why: why, event: event))
            }
            guard page.count == Self.retentionPage, let last = page.last else { break }
            after = last.number
        }
        return RetentionOutcome.ModelRetention(model: model, rule: rule, deletions: deletions, protected: kept, skipped: skipped)
    }
}
