/// A model's name: lowercase letters, digits, `.`, `_`, `-`, and `/` between namespace segments.
///
/// Names become parts of references (`name@3`), of exported paths in later phases and of URLs on
/// the server, so the alphabet is deliberately small and unambiguous.
public struct ModelName: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public static let maximumLength = 200
    public let value: String

    public init(_ text: String) throws(NameError) {
        try Self.validate(text, kind: "model name")
        value = text
    }

    public var description: String { value }
    public static func < (lhs: ModelName, rhs: ModelName) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Checks the shared naming rules of models, aliases and dataset names.
    public static func validate(_ text: String, kind: String) throws(NameError) {
        guard !text.isEmpty else { throw NameError(name: text, kind: kind, problem: "is empty") }
        guard text.utf8.count <= maximumLength else {
            throw NameError(name: text, kind: kind, problem: "is longer than \(maximumLength) characters")
        }
        if let bad = text.unicodeScalars.first(where: { !isAllowed($0) }) {
            throw NameError(
                name: text, kind: kind,
                problem: "contains '\(bad)'; use only lowercase letters, digits, '.', '_', '-' and '/'")
        }
        if text.hasPrefix("/") { throw NameError(name: text, kind: kind, problem: "starts with '/'") }
        if text.hasSuffix("/") { throw NameError(name: text, kind: kind, problem: "ends with '/'") }
        if text.contains("..") { throw NameError(name: text, kind: kind, problem: "contains '..'") }
        if text.contains("//") { throw NameError(name: text, kind: kind, problem: "contains an empty segment '//'") }
        for segment in text.split(separator: "/") {
            guard let first = segment.unicodeScalars.first, isAlphanumeric(first) else {
                throw NameError(name: text, kind: kind, problem: "has a segment '\(segment)' that does not start with a letter or digit")
            }
        }
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "." || scalar == "_" || scalar == "-" || scalar == "/"
    }
}

/// A name that breaks the naming rules, with the rule it breaks.
public struct NameError: Error, Equatable, Sendable, CustomStringConvertible {
    public let name: String
    public let kind: String
    public let problem: String
    public var description: String { "invalid \(kind) '\(name)': it \(problem)" }
}
