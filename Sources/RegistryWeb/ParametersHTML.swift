import Foundation
import RegistryModel

/// A version's parameters as nested lists: keys in order, nested objects indented under their key.
enum ParametersHTML {
    static func html(_ node: JSONValue) -> String {
        if case .object(let fields) = node, fields.isEmpty { return "<p>None recorded.</p>" }
        return "<div class=\"params\">" + value(node) + "</div>"
    }

    private static func value(_ node: JSONValue) -> String {
        switch node {
        case .null: return "<code>null</code>"
        case .bool(let flag): return "<code>\(flag)</code>"
        case .integer(let number): return "<code>\(number)</code>"
        case .number(let number): return "<code>\(Format.number(number))</code>"
        case .string(let text): return "<code>" + escaped(text) + "</code>"
        case .array(let items):
            if items.allSatisfy(\.isScalar) { return items.map(value).joined(separator: ", ") }
            return "<ol>" + items.map { "<li>" + value($0) + "</li>" }.joined() + "</ol>"
        case .object(let fields):
            return "<dl>" + fields.sorted { $0.key < $1.key }.map { "<dt>" + escaped($0.key) + "</dt><dd>" + value($0.value) + "</dd>" }.joined() + "</dl>"
        }
    }

    /// A value as plain text (a gate's actual and required values): the template escapes it.
    static func text(_ node: JSONValue) -> String {
        switch node {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .integer(let number): "\(number)"
        case .number(let number): Format.number(number)
        case .string(let text): text
        case .array(let items): items.map(text).joined(separator: ", ")
        case .object(let fields): fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }.joined(separator: ", ")
        }
    }

    /// Text as HTML: the five characters that could end an element or an attribute.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}

extension JSONValue {
    /// An object's member; nil for anything else.
    func member(_ key: String) -> JSONValue? { objectValue?[key] }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}
