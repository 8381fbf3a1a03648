import Foundation
import RegistryStorage
import Policy
import RegistryModel

extension Registry {
    /// The registry's promotion policy; an absent `policy.toml` means no gates beyond status.
    public func policy() throws(RegistryError) -> Policy {
        guard let data = FileManager.default.contents(atPath: layout.policy) else {
            if FileManager.default.fileExists(atPath: layout.policy) {
                throw RegistryError(.io, "cannot read '\(layout.policy)'", hint: "check its permissions")
            }
            return Policy()
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .usage("'\(layout.policy)' is not UTF-8 text", hint: "save it as UTF-8; nothing was changed")
        }
        do {
            return try Policy.parse(text)
        } catch {
            throw RegistryError(error, file: layout.policy)
        }
    }

    /// What in the policy names something that does not exist: a `[models.X]` section for a
    /// model the registry lacks, a `require_from` alias the policy does not define and no
    /// version ever held; with `model`, gate metrics no version of it has ever had.
    public func policyWarnings(_ policy: Policy, model: String?) throws(RegistryError) -> [String] {
        var warnings = [String]()
        for name in policy.models.keys.sorted() {
            guard let modelName = try? ModelName(name) else { continue }
            if !(try database { (db) throws(MetadataError) in try db.modelExists(modelName) }) {
                warnings.append("policy.toml has a section [models.\(name)], but this registry has no model '\(name)' (a typo? 'mreg list' shows the models)")
            }
        }
        var sections = policy.aliases.map { ("[aliases.\($0.key)]", $0.value) }
        for (name, overrides) in policy.models { sections += overrides.map { ("[models.\(name).aliases.\($0.key)]", $0.value) } }
        var warned = Set<String>()
        for (section, rules) in sections.sorted(by: { $0.0 < $1.0 }) {
            guard let from = rules.requireFrom, !policy.aliasNames.contains(from), !warned.contains(from) else { continue }
            if !(try database { (db) throws(MetadataError) in try db.aliasEverUsed(from) }) {
                warned.insert(from)
                warnings.append("require_from = \"\(from)\" in \(section) names an alias that policy.toml does not define and no version has ever held (a typo?)")
            }
        }
        if let model, let modelName = try? ModelName(model) {
            let known = try database { (db) throws(MetadataError) in try db.metricKeysEverRecorded(model: modelName) }
            for key in policy.gateMetricKeys(model: model).sorted() where !known.contains(key) {
                let others = MetricSynonyms.alternatives(for: key, among: known)
                warnings.append(
                    "no version of \(model) has ever had metric \(key), which a gate reads"
                        + (others.isEmpty ? "" : "; it has had \(others.joined(separator: ", ")), the same metric under another name"))
            }
        }
        return warnings
    }
}
