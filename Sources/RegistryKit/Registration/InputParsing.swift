import Foundation
import RegistryModel
import Yams

/// Parses what a user hands to `register`: `k=v` pairs, params files, metrics files.
///
/// Every failure is a usage error that names the file or argument and what is wrong with it,
/// raised before anything is written to the registry.
public enum InputParsing {
    /// Splits `KEY=VALUE`; `what` names the flag in the error (`--param`).
    public static func keyValue(_ text: String, flag: String) throws(RegistryError) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw .usage("\(flag) '\(text)' is not KEY=VALUE", hint: "write it as \(flag) name=value")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// `512MiB`, `2GiB`, `64KiB`, `1TiB` or a number of bytes; nil when it is none of these.
    public static func bytes(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("B", 1)]
        let (digits, scale) = units.first { text.hasSuffix($0.0) }.map { (String(text.dropLast($0.0.count)), $0.1) } ?? (text, 1)
        guard let count = Int64(digits), count >= 0, count <= Int64.max / scale else { return nil }
        return count * scale
    }

    /// An ISO 8601 date or time given to `flag` (`--at`, `--since`): a date alone means its
    /// start, UTC.
    public static func time(_ text: String, flag: String) throws(RegistryError) -> Date {
        guard let date = Timestamp.parse(text) else {
            throw .usage(
                "\(flag) '\(text)' is not an ISO 8601 time",
                hint: "write an ISO 8601 date or time, like 2026-03-01 (its start, UTC), 2026-03-01T12:00Z or 2026-03-01T14:00:00+02:00")
        }
        return date
    }

    /// `--param k=v`: the value is a JSON scalar where it parses as one, else text.
    public static func param(_ text: String) throws(RegistryError) -> (String, JSONValue) {
        let (key, value) = try keyValue(text, flag: "--param")
        return (key, JSONValue.scalar(parsing: value))
    }

    /// `--metric KEY=NUMBER`.
    public static func metric(_ text: String) throws(RegistryError) -> Metric {
        let (key, value) = try keyValue(text, flag: "--metric")
        guard let number = Double(value), JSONValue.scalar(parsing: value).numericValue != nil else {
            throw .usage("--metric '\(text)': '\(value)' is not a number", hint: "metrics are numbers, e.g. --metric holdout.auc=0.91")
        }
        do {
            return try Metric(key: key, value: number)
        } catch {
            throw .usage("--metric '\(text)': \(error.description)")
        }
    }

    /// `--params FILE`: a JSON or YAML object; nesting is kept.
    public static func paramsFile(_ path: String) throws(RegistryError) -> [String: JSONValue] {
        let value = try structuredFile(path, flag: "--params")
        guard let object = value.objectValue else {
            throw .usage("--params file '\(path)' must hold an object (key: value pairs) at the top", hint: "e.g. {\"lr\": 0.1}")
        }
        return object
    }

    /// `--metrics FILE`: `{"auc": 0.91}` or per dataset `{"holdout": {"auc": 0.91}}`.
    public static func metricsFile(_ path: String) throws(RegistryError) -> [Metric] {
        let value = try structuredFile(path, flag: "--metrics")
        guard let object = value.objectValue else {
            throw .usage("--metrics file '\(path)' must hold a JSON object", hint: "e.g. {\"holdout\": {\"auc\": 0.91}}")
        }
        var metrics = [Metric]()
        for (key, member) in object.sorted(by: { $0.key < $1.key }) {
            if let nested = member.objectValue {
                for (name, inner) in nested.sorted(by: { $0.key < $1.key }) {
                    metrics.append(try fileMetric(key: "\(key).\(name)", inner, path: path))
                }
            } else {
                metrics.append(try fileMetric(key: key, member, path: path))
            }
        }
        return metrics
    }

    private static func fileMetric(key: String, _ value: JSONValue, path: String) throws(RegistryError) -> Metric {
        guard let number = value.numericValue else {
            throw .usage("--metrics file '\(path)': metric '\(key)' is not a number", hint: "metrics are numbers, e.g. {\"holdout\": {\"auc\": 0.91}}")
        }
        do {
            return try Metric(key: key, value: number)
        } catch {
            throw .usage("--metrics file '\(path)': \(error.description)")
        }
    }

    /// Reads a JSON or YAML file (JSON is YAML; a `.json` file is parsed strictly as JSON).
    static func structuredFile(_ path: String, flag: String) throws(RegistryError) -> JSONValue {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .notFound("\(flag) file '\(path)' does not exist", hint: "check the path")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("\(flag) file '\(path)' cannot be read", hint: "check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .usage("\(flag) file '\(path)' is not UTF-8 text")
        }
        if path.lowercased().hasSuffix(".json") {
            do {
                return try JSONParser.parse(Array(data))
            } catch {
                throw .usage("\(flag) file '\(path)' is not valid JSON: \(error.description)")
            }
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .usage("\(flag) file '\(path)' is not valid JSON or YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let node else { throw .usage("\(flag) file '\(path)' is empty") }
        return try jsonValue(node, path: path, flag: flag)
    }

    /// Converts a YAML node with YAML 1.1 core-schema scalars into JSON values.
    private static func jsonValue(_ node: Node, path: String, flag: String) throws(RegistryError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain || scalar.style == .any {
                if node.null != nil { return .null }
                if let flag = node.bool { return .bool(flag) }
                if let integer = node.int { return .integer(Int64(integer)) }
                if let number = node.float, number.isFinite { return .number(number) }
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            var elements = [JSONValue]()
            for element in sequence { elements.append(try jsonValue(element, path: path, flag: flag)) }
            return .array(elements)
        case .mapping(let mapping):
            var members = [String: JSONValue]()
            for (key, value) in mapping {
                guard let name = key.string else { throw .usage("\(flag) file '\(path)' has a key that is not text") }
                members[name] = try jsonValue(value, path: path, flag: flag)
            }
            return .object(members)
        }
    }
}
