import Foundation
import RegistryModel
import TOML

/// `[retention]` in `config.toml`: which versions `mreg retention` deletes. A version goes only
/// when every rule given allows it: it is not among its model's newest `keep_last` live
/// versions, it was registered more than `min_age` ago, it holds no alias now, and it never held
/// one of `protect_aliases` (so rollback targets survive).
public struct RetentionRules: Sendable, Equatable {
    /// `min_age` as written (`30d`), and in seconds.
    public struct Age: Sendable, Equatable {
        public let text: String
        public let seconds: TimeInterval
    }

    public struct Rule: Sendable, Equatable {
        public var keepLast: Int?
        public var minAge: Age?
        public var protectAliases: [String] = []

        public init() {}

        /// Whether the rule can delete anything: one of its limits is set.
        public var limits: Bool { keepLast != nil || minAge != nil }

        /// The rule as one line, for reasons and ledger events.
        public var summary: String {
            ([keepLast.map { "keep_last = \($0)" }, minAge.map { "min_age = \"\($0.text)\"" }].compactMap { $0 }
                + (protectAliases.isEmpty ? [] : ["protect_aliases = [\(protectAliases.map { "\"\($0)\"" }.joined(separator: ", "))]"]))
                .joined(separator: ", ")
        }
    }

    /// `[retention]` itself.
    public var defaults = Rule()
    /// `[retention.models.NAME]`: each key given replaces the default's.
    public var models: [String: Rule] = [:]

    public init() {}

    /// The rule for one model: its override over the defaults.
    public func rule(for model: String) -> Rule { models[model] ?? defaults }

    static let keys = ["keep_last", "min_age", "protect_aliases", "models"]

    /// Reads `[retention]` (`table`) from `file`.
    static func parse(_ table: TOMLTable, file: String) throws(RegistryError) -> RetentionRules {
        var rules = RetentionRules()
        rules.defaults = try rule(table, over: Rule(), section: "retention", file: file, allowModels: true)
        if let models = table["models"] {
            guard case .table(let byModel) = models.kind else {
                throw .usage("'\(file)' line \(models.line), key 'retention.models': must be a table of [retention.models.NAME] sections")
            }
            for name in byModel.keys {
                let value = byModel[name]!
                guard case .table(let override) = value.kind else {
                    throw .usage("'\(file)' line \(value.line), key 'retention.models.\(name)': must be a table ([retention.models.\(name)])")
                }
                rules.models[name] = try rule(override, over: rules.defaults, section: "retention.models.\(name)", file: file, allowModels: false)
            }
        }
        return rules
    }

    private static func rule(_ table: TOMLTable, over base: Rule, section: String, file: String, allowModels: Bool) throws(RegistryError) -> Rule {
        var rule = base
        for key in table.keys {
            let value = table[key]!
            let place = "'\(file)' line \(value.line), key '\(section).\(key)'"
            switch key {
            case "keep_last":
                guard case .integer(let count) = value.kind, count >= 1 else {
                    throw .usage("\(place): must be a whole number of versions, at least 1 (the newest is always kept)")
                }
                rule.keepLast = Int(count)
            case "min_age":
                guard case .string(let text) = value.kind, let seconds = DurationText.seconds(text) else {
                    throw .usage("\(place): must be a duration such as \"30d\", \"12h\" or \"2w\"")
                }
                rule.minAge = Age(text: text, seconds: seconds)
            case "protect_aliases":
                guard case .array(let items) = value.kind else { throw .usage("\(place): must be a list of alias names, such as [\"production\"]") }
                var names = [String]()
                for item in items {
                    guard case .string(let name) = item.kind else { throw .usage("\(place): must be a list of alias names, such as [\"production\"]") }
                    do {
                        names.append(try AliasName(name).value)
                    } catch {
                        throw .usage("\(place): \(error.description)")
                    }
                }
                rule.protectAliases = names
            case "models" where allowModels:
                continue
            default:
                throw .usage("\(place): unknown setting; known settings are \(keys.filter { allowModels || $0 != "models" }.joined(separator: ", "))")
            }
        }
        return rule
    }
}
