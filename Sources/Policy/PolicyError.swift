/// A `policy.toml` that cannot be used, with the line and key at fault.
public struct PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    /// The dotted key path (`aliases.production.min`), or nil for a syntax error.
    public let key: String?
    public let problem: String

    public init(line: Int, key: String?, problem: String) {
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        "line \(line)" + (key.map { ", key '\($0)'" } ?? "") + ": \(problem)"
    }
}
