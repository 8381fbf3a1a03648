import Foundation

/// A JSON value whose encoding is canonical, so equal values always hash to the same digest.
///
/// Hyperparameters arrive from JSON, YAML and the command line; holding them as this closed enum
/// keeps their nesting and scalar types exact, and gives the manifest a byte-stable encoding.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses a command-line value as a JSON scalar where it parses as one, else keeps it as text.
    ///
    /// `3` is an integer, `0.1` a number, `true` a boolean, `null` null, `"x"` the string x, and
    /// anything else (`adam`, `1.2.3`) the literal text.
    public static func scalar(parsing text: String) -> JSONValue {
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        if let integer = Int64(text) { return .integer(integer) }
        if looksNumeric(text), let number = Double(text), number.isFinite { return .number(number) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { return .string(String(text.dropFirst().dropLast())) }
        return .string(text)
    }

    /// JSON number grammar, so that Swift's laxer `Double("inf")`, `"0x1p3"` stay text.
    private static func looksNumeric(_ text: String) -> Bool {
        let allowed = Set("0123456789+-.eE".unicodeScalars)
        return !text.isEmpty && text.unicodeScalars.allSatisfy(allowed.contains)
            && text.unicodeScalars.contains(where: { ("0"..."9").contains($0) })
    }

    /// The `userInfo` key under which a decoder may hold its whole document, parsed by
    /// `JSONParser`: a value decoded there is then taken from it as written. Foundation's
    /// decoder reads `1.0` as the integer 1, which would change a parameter's kind and with it
    /// the manifest's digest.
    public static let exactDocumentKey = CodingUserInfoKey(rawValue: "mreg.exactJSONDocument")!

    public init(from decoder: any Decoder) throws {
        if let document = decoder.userInfo[Self.exactDocumentKey] as? JSONValue, let exact = document.value(at: decoder.codingPath) {
            self = exact
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value a decoder's coding path leads to: members by name, elements by index.
    public func value(at path: [any CodingKey]) -> JSONValue? {
        var current = self
        for key in path {
            switch current {
            case .object(let members):
                guard let member = members[key.stringValue] else { return nil }
                current = member
            case .array(let elements):
                guard let index = key.intValue, elements.indices.contains(index) else { return nil }
                current = elements[index]
            default: return nil
            }
        }
        return current
    }

    /// The number this value holds, if it is numeric.
    public var numericValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The elements of an array, if this is one.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The members of an object, if this is one.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}
