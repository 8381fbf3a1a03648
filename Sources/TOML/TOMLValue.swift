/// A parsed TOML value with the line it was written on, so a configuration error can name it.
public struct TOMLValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case bool(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    public let kind: Kind
    /// 1-based line of the value (of the header, for a `[table]`).
    public let line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// What the value is, for messages: "a string", "an integer", ….
    public var typeDescription: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A TOML table: its keys in the order they were written, each with its value.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    /// Tables opened by a `[header]`; a second header for the same table is an error.
    var isExplicit = false
    /// Inline tables `{ … }` are complete as written and cannot be extended later.
    var isInline = false

    public init() {}

    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if values[key] == nil { keys.append(key) }
            values[key] = newValue
        }
    }

    public var isEmpty: Bool { keys.isEmpty }
}

/// A document that is not valid TOML (or uses a part of TOML mreg's files have no use for).
public struct TOMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let problem: String

    public var description: String { "line \(line), column \(column): \(problem)" }
}
