import Foundation
import RegistryModel

/// The column names of one result, shared by its rows.
public final class SQLColumns: Sendable {
    public let names: [String]
    private let indexes: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var indexes = [String: Int]()
        // The first column of a name wins, as in `SELECT e.*, m.name AS model_name`.
        for (index, name) in names.enumerated() where indexes[name] == nil { indexes[name] = index }
        self.indexes = indexes
    }

    func index(of name: String) -> Int? { indexes[name] }
}

/// One result row. Reading a column as the wrong kind throws `DatabaseCorruption` (exit 5 at
/// the boundary): a value mreg could not have written means the store was edited behind its back.
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public let values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript<T: SQLDecodable>(_ index: Int) -> T {
        get throws { try T.decode(values[index], column: columns.names[index]) }
    }

    public subscript<T: SQLDecodable>(_ name: String) -> T {
        get throws {
            guard let index = columns.index(of: name) else { throw DatabaseCorruption(problem: "a result has no column '\(name)'") }
            return try T.decode(values[index], column: name)
        }
    }
}

/// A Swift value read from a column.
public protocol SQLDecodable {
    static func decode(_ value: SQLValue, column: String) throws -> Self
}

extension SQLDecodable {
    static func mismatch(_ value: SQLValue, _ column: String) -> DatabaseCorruption {
        DatabaseCorruption(problem: "column '\(column)' holds \(value), where mreg writes \(Self.self)")
    }
}

extension Int64: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int64 {
        guard case .integer(let number) = value else { throw mismatch(value, column) }
        return number
    }
}

extension Int: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int {
        guard case .integer(let number) = value, let result = Int(exactly: number) else { throw mismatch(value, column) }
        return result
    }
}

extension Double: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Double {
        switch value {
        case .real(let number): return number
        // SQLite keeps an integral REAL as an integer on disk.
        case .integer(let number): return Double(number)
        default: throw mismatch(value, column)
        }
    }
}

extension String: SQLDecodable {
    /// A digest reads as its text, `sha256:` and hex, on either engine.
    public static func decode(_ value: SQLValue, column: String) throws -> String {
        switch value {
        case .text(let text): return text
        case .digest(let digest): return digest.description
        default: throw mismatch(value, column)
        }
    }
}

extension Digest: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Digest {
        switch value {
        case .digest(let digest): return digest
        case .text(let text): return try digest(text)
        default: throw mismatch(value, column)
        }
    }
}

extension Bool: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Bool {
        switch value {
        case .boolean(let flag): return flag
        // SQLite has no boolean type: mreg writes 0 and 1.
        case .integer(0): return false
        case .integer(1): return true
        default: throw mismatch(value, column)
        }
    }
}

extension VersionKey: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> VersionKey {
        VersionKey(storeValue: try Int64.decode(value, column: column))
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.decode(value, column: column)
    }
}

/// A value in the store that mreg could not have written.
public struct DatabaseCorruption: Error, CustomStringConvertible {
    public let problem: String
    public var description: String { problem }

    public init(problem: String) { self.problem = problem }
}

/// Reads a stored digest; a malformed one means the store was edited behind mreg's back.
/// PostgreSQL's JSON (`SQLSession.rowSets`) spells a digest column's 32 bytes `\x` and hex:
/// read where a digest column is read, never from a column of text, so no text is mistaken.
func digest(_ text: String) throws -> Digest {
    let bytesHex = text.hasPrefix("\\x") ? String(text.dropFirst(2)) : nil
    guard let value = bytesHex.map(Digest.init(hex:)) ?? Digest(parsing: text) else {
        // Bytes that are not a digest are named by their text, as PostgreSQL's session reads them.
        let named = bytesHex.flatMap { Digest.bytes(hex: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? text
        throw DatabaseCorruption(problem: "malformed digest '\(named)'")
    }
    return value
}

func date(_ text: String?) throws -> Date {
    guard let text, let value = Timestamp.parse(text) else { throw DatabaseCorruption(problem: "malformed timestamp '\(text ?? "NULL")'") }
    return value
}
