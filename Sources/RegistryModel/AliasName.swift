/// The name of an alias (`production`, `staging`, `champion`): a named pointer at one version.
///
/// Aliases follow the model-name alphabet without `/`, and may not look like anything else a
/// reference can hold after `@` (a version number `7`/`v7`, a digest, or `latest`).
public struct AliasName: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let value: String

    public init(_ text: String) throws(NameError) {
        try ModelName.validate(text, kind: "alias")
        if text.contains("/") { throw NameError(name: text, kind: "alias", problem: "contains '/'; aliases have one segment") }
        let digits = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw NameError(name: text, kind: "alias", problem: "looks like a version number")
        }
        if text == "latest" { throw NameError(name: text, kind: "alias", problem: "is reserved: NAME alone already means the latest version") }
        if text.hasPrefix(Digest.algorithm) { throw NameError(name: text, kind: "alias", problem: "looks like a digest") }
        value = text
    }

    public var description: String { value }
    public static func < (lhs: AliasName, rhs: AliasName) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
