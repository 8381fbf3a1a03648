import RegistryModel
import TOML

extension Policy {
    /// The keys an alias section may set, in the order the README documents them.
    public static let aliasKeys = [
        "require_clean_git", "require_signature", "require_verified", "require_from", "require_computed", "min", "max", "no_regression",
        "significant_improvement", "lower_is_better", "remove",
    ]

    /// Reads `policy.toml`; every error names the line and the key.
    public static func parse(_ text: String) throws(PolicyError) -> Policy {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(text)
        } catch {
            throw PolicyError(line: error.line, key: nil, problem: "\(error.problem) (column \(error.column))")
        }
        var policy = Policy()
        for key in root.keys {
            let value = root[key]!
            switch key {
            case "aliases":
                for (alias, rules) in try aliasSections(value, path: "aliases") { policy.aliases[alias] = rules }
            case "models":
                let models = try table(value, path: "models")
                for model in models.keys {
                    let path = "models.\(quoted(model))"
                    do {
                        _ = try ModelName(model)
                    } catch {
                        throw PolicyError(line: models[model]!.line, key: path, problem: error.description)
                    }
                    let section = try table(models[model]!, path: path)
                    for inner in section.keys where inner != "aliases" {
                        throw PolicyError(
                            line: section[inner]!.line, key: "\(path).\(quoted(inner))",
                            problem: "unknown key; a model section holds only [models.NAME.aliases.ALIAS] tables")
                    }
                    if let aliases = section["aliases"] {
                        policy.models[model] = Dictionary(uniqueKeysWithValues: try aliasSections(aliases, path: "\(path).aliases"))
                    }
                }
            case "lower_is_better":
                policy.lowerIsBetter = try metricNames(value, path: key)
            default:
                throw PolicyError(line: value.line, key: quoted(key), problem: "unknown key; the top level holds [aliases.ALIAS], [models.NAME.aliases.ALIAS] and lower_is_better")
            }
        }
        return policy
    }

    private static func aliasSections(_ value: TOMLValue, path: String) throws(PolicyError) -> [(String, AliasRules)] {
        let sections = try table(value, path: path)
        var result = [(String, AliasRules)]()
        for alias in sections.keys {
            let sectionPath = "\(path).\(quoted(alias))"
            do {
                _ = try AliasName(alias)
            } catch {
                throw PolicyError(line: sections[alias]!.line, key: sectionPath, problem: error.description)
            }
            result.append((alias, try aliasRules(sections[alias]!, path: sectionPath)))
        }
        return result
    }

    private static func aliasRules(_ value: TOMLValue, path: String) throws(PolicyError) -> AliasRules {
        let section = try table(value, path: path)
        var rules = AliasRules()
        for key in section.keys {
            let value = section[key]!
            let keyPath = "\(path).\(quoted(key))"
            switch key {
            case "require_clean_git": rules.requireCleanGit = try bool(value, path: keyPath)
            case "require_signature": rules.requireSignature = try bool(value, path: keyPath)
            case "require_verified": rules.requireVerified = try bool(value, path: keyPath)
            case "require_from":
                guard case .string(let alias) = value.kind else {
                    throw PolicyError(line: value.line, key: keyPath, problem: "must be an alias name in quotes, not \(value.typeDescription)")
                }
                do {
                    rules.requireFrom = try AliasName(alias).value
                } catch {
                    throw PolicyError(line: value.line, key: keyPath, problem: error.description)
                }
            case "min": rules.minimums = try thresholds(value, path: keyPath, allowNegative: true)
            case "max": rules.maximums = try thresholds(value, path: keyPath, allowNegative: true)
            case "no_regression": rules.noRegression = try thresholds(value, path: keyPath, allowNegative: false)
            case "significant_improvement":
                rules.significantImprovement = try thresholds(value, path: keyPath, allowNegative: false)
                if let (key, level) = rules.significantImprovement.first(where: { !(0 < $0.value && $0.value < 0.5) }) {
                    throw PolicyError(line: value.line, key: "\(keyPath).\(quoted(key))", problem: "is a significance level and must be between 0 and 0.5 (e.g. 0.05), not \(level)")
                }
            case "lower_is_better": rules.lowerIsBetter = try metricNames(value, path: keyPath)
            case "require_computed":
                switch value.kind {
                case .bool(let flag): rules.requireComputed = flag
                case .array:
                    let keys = try metricNames(value, path: keyPath)
                    for key in keys {
                        do {
                            _ = try Metric(key: key, value: 0)
                        } catch {
                            throw PolicyError(line: value.line, key: keyPath, problem: error.description)
                        }
                    }
                    rules.requireComputedMetrics = Set(keys)
                default:
                    throw PolicyError(
                        line: value.line, key: keyPath,
                        problem: "must be true (every metric gate) or a list of metric keys like [\"holdout.auc\"], not \(value.typeDescription)")
                }
            case "remove":
                rules.removals = try metricNames(value, path: keyPath)
                for label in rules.removals {
                    let gate = String(label.split(separator: " ", maxSplits: 1).first ?? "")
                    guard AliasRules.removableGates.contains(gate) else {
                        throw PolicyError(
                            line: value.line, key: keyPath,
                            problem: "'\(label)' names no gate; write a gate (\"require_clean_git\", \"min\") or a gate and its metric (\"min holdout.auc\")")
                    }
                }
            default:
                throw PolicyError(line: value.line, key: keyPath, problem: "unknown gate; known gates are \(aliasKeys.joined(separator: ", "))")
            }
        }
        return rules
    }

    /// `{ "holdout.auc" = 0.8 }`: metric keys to finite numbers.
    private static func thresholds(_ value: TOMLValue, path: String, allowNegative: Bool) throws(PolicyError) -> [String: Double] {
        let entries = try table(value, path: path, expecting: "a table of metric thresholds like { \"holdout.auc\" = 0.8 }")
        var result = [String: Double]()
        for key in entries.keys {
            let entry = entries[key]!
            let entryPath = "\(path).\(quoted(key))"
            let number: Double
            switch entry.kind {
            case .integer(let integer): number = Double(integer)
            case .float(let float): number = float
            case .table(let inner):
                // `{ holdout.auc = 0.95 }` is TOML for `{ holdout = { auc = 0.95 } }`.
                let example = inner.keys.first.map { "\"\(key).\($0)\"" } ?? "\"\(key).METRIC\""
                throw PolicyError(
                    line: entry.line, key: entryPath,
                    problem: "is a table, not a number: a metric key with a dot must be quoted, as in { \(example) = 0.95 }")
            default: throw PolicyError(line: entry.line, key: entryPath, problem: "must be a number, not \(entry.typeDescription)")
            }
            guard number.isFinite else { throw PolicyError(line: entry.line, key: entryPath, problem: "must be a finite number") }
            if !allowNegative && number < 0 {
                throw PolicyError(line: entry.line, key: entryPath, problem: "is a tolerance and must be 0 or more")
            }
            do {
                _ = try Metric(key: key, value: number)
            } catch {
                throw PolicyError(line: entry.line, key: entryPath, problem: error.description)
            }
            result[key] = number
        }
        return result
    }

    private static func metricNames(_ value: TOMLValue, path: String) throws(PolicyError) -> [String] {
        guard case .array(let elements) = value.kind else {
            throw PolicyError(line: value.line, key: path, problem: "must be an array of metric names like [\"log_loss\", \"rmse\"], not \(value.typeDescription)")
        }
        var names = [String]()
        for element in elements {
            guard case .string(let name) = element.kind, !name.isEmpty else {
                throw PolicyError(line: element.line, key: path, problem: "must hold only metric names in quotes, found \(element.typeDescription)")
            }
            names.append(name)
        }
        return names
    }

    private static func bool(_ value: TOMLValue, path: String) throws(PolicyError) -> Bool {
        guard case .bool(let flag) = value.kind else {
            throw PolicyError(line: value.line, key: path, problem: "must be true or false, not \(value.typeDescription)")
        }
        return flag
    }

    private static func table(_ value: TOMLValue, path: String, expecting: String = "a table") throws(PolicyError) -> TOMLTable {
        guard case .table(let table) = value.kind else {
            throw PolicyError(line: value.line, key: path, problem: "must be \(expecting), not \(value.typeDescription)")
        }
        return table
    }

    /// Keys with dots are quoted in paths, as TOML writes them: `min."holdout.auc"`.
    static func quoted(_ key: String) -> String {
        key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } ? key : "\"\(key)\""
    }
}
