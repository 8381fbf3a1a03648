import Foundation
import RegistryStorage
import RegistryModel

/// A request to move an alias back to an earlier holder.
public struct RollbackRequest: Sendable {
    public let model: String
    public let alias: String
    /// An explicit earlier holder; by default the one before the current holder.
    public let target: String?
    public let reason: String?
    /// Allows an explicit target that is deprecated or was rolled back itself.
    public let force: Bool
    public let actor: Registrant

    public init(model: String, alias: String, target: String?, reason: String?, force: Bool, actor: Registrant) {
        self.model = model
        self.alias = alias
        self.target = target
        self.reason = reason
        self.force = force
        self.actor = actor
    }
}

/// What a rollback did.
public struct RollbackOutcome: Sendable {
    public let alias: AliasName
    /// The version rolled back from (now marked rolled back); nil when the alias pointed at nothing.
    public let from: VersionPointer?
    public let to: VersionPointer
    public let event: RecordedEvent
    /// Earlier holders passed over because they were deleted, rolled back or deprecated.
    public let skipped: [String]
}

extension Registry {
    /// Moves an alias back to the version that held it before the current holder (or to an
    /// explicit earlier holder), after re-hashing that version's blobs. The version rolled back
    /// from is marked by the event and skipped by later rollbacks.
    public func rollback(_ request: RollbackRequest, progress: (any ProgressDisplay)? = nil) throws(RegistryError) -> RollbackOutcome {
        let model = try Self.modelName(request.model)
        let alias = try Self.aliasName(request.alias)
        if request.force && Self.isBlank(request.reason) {
            throw .usage("--force needs --reason TEXT", hint: "add --reason \"…\"")
        }
        for _ in 0..<Self.raceRetries {
            // A rollback returns to the newest earlier holder that is neither deleted, deprecated
            // nor rolled back from this alias.
            let isTarget: @Sendable (RollbackCandidate) -> Bool = {
                $0.status.deletion == nil && $0.status.deprecation == nil && $0.status.rollback(from: alias.value) == nil
            }
            guard let plan = try database({ (db) throws(MetadataError) in try db.rollbackPlan(model: model, alias: alias, isTarget: isTarget) }) else {
                try requireModel(model)
                throw .notFound("model '\(model)' has no alias '\(alias)'", hint: "run 'mreg list \(model)' to see its aliases")
            }
            let (target, skipped) = try rollbackTarget(request, model: model, alias: alias, plan: plan)
            if let problem = try damage(of: target.id, progress: progress).first {
                throw RegistryError(
                    .integrity, "cannot roll \(alias) back to \(target.version.reference): \(problem.detail); the alias was not moved",
                    hint: "run 'mreg verify \(target.version.reference)', or pick another version with --to")
            }
            let draft = EventDraft(
                model: model, alias: alias, action: .rollback, toVersionID: target.id, at: clock(), actor: request.actor,
                reason: Self.trimmed(request.reason), forced: request.force, gates: "[]", expectedHolderID: .some(plan.current?.id),
                requirement: .live)
            switch try appendEvent(draft) {
            case .appended(let event):
                let outcome = RollbackOutcome(alias: alias, from: event.event.from, to: target.version, event: event, skipped: skipped)
                observer?.rolledBack(outcome)
                return outcome
            case .unchanged:
                throw RegistryError(.refused, "\(alias) of '\(model)' already points at \(target.version.reference)")
            case .holderChanged, .versionDeleted:
                // Deleted since the plan was read: the next plan passes it over.
                continue
            case .versionHoldsAliases:
                throw .bug("a rollback's event was checked as a deletion")
            }
        }
        throw RegistryError(.conflict, "alias '\(alias)' of '\(model)' kept moving during the rollback", hint: "run the rollback again")
    }

    /// The version to go back to, and the earlier holders passed over on the way.
    private func rollbackTarget(
        _ request: RollbackRequest, model: ModelName, alias: AliasName, plan: RollbackPlan
    ) throws(RegistryError) -> ((id: VersionKey, version: VersionPointer), [String]) {
        let current = plan.current?.version
        if let text = request.target {
            let record = try resolve(reference: Self.qualified(text, model: model))
            guard record.model == model else {
                throw .usage("--to \(text) is a version of '\(record.model)', not of '\(model)'")
            }
            let pointer = VersionPointer(model: model, number: record.number, manifestDigest: record.manifestDigest)
            if pointer == current { throw RegistryError(.refused, "\(alias) of '\(model)' already points at \(pointer.reference)") }
            guard try database({ (db) throws(MetadataError) in try db.hasHeld(versionID: record.id, alias: alias) }) else {
                throw RegistryError(
                    .refused, "\(pointer.reference) never held \(alias); rollback only returns to earlier holders",
                    hint: "use 'mreg promote \(pointer.reference) --to \(alias)' to move the alias to a new version")
            }
            let status = try database { (db) throws(MetadataError) in try db.status(versionID: record.id) }
            if let deletion = status.deletion { throw Self.deletedVersion(pointer.reference, deletion, cannot: "be rolled back to") }
            if let blocker = status.deprecation.map({ "is deprecated: \($0)" }) ?? status.rollback(from: alias.value).map({ "was rolled back \($0)" }), !request.force {
                throw RegistryError(.refused, "\(pointer.reference) \(blocker)", hint: "pass --force --reason TEXT to roll back to it anyway")
            }
            return ((record.id, pointer), [])
        }
        var skipped = [String]()
        for candidate in plan.candidates {
            if candidate.status.deletion != nil {
                skipped.append("\(candidate.version.reference) (deleted)")
            } else if let reason = candidate.status.deprecation {
                skipped.append("\(candidate.version.reference) (deprecated: \(reason))")
            } else if let reason = candidate.status.rollback(from: alias.value) {
                skipped.append("\(candidate.version.reference) (rolled back \(reason))")
            } else {
                return ((candidate.id, candidate.version), skipped)
            }
        }
        let from = current.map { " before \($0.reference)" } ?? ""
        throw RegistryError(
            .refused,
            "no earlier version of '\(model)' held \(alias)\(from)" + (skipped.isEmpty ? "" : " that was not deleted, rolled back or deprecated (passed over: \(skipped.joined(separator: ", ")))")
                + "; nothing was changed",
            hint: "promote a version with 'mreg promote \(model)@N --to \(alias)', or name one with --to")
    }

    /// `--to 3` and `--to churn@3` both name version 3 of the model being rolled back.
    static func qualified(_ text: String, model: ModelName) -> String {
        text.contains("@") ? text : "\(model)@\(text)"
    }
}
