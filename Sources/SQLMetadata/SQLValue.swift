import RegistryModel

/// A value crossing between the store's SQL and an engine: the kinds both SQLite and PostgreSQL
/// hold, so one implementation of the store runs on either.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case boolean(Bool)
    /// A SHA-256 digest: text (`sha256:` and hex) in SQLite, 32 raw bytes (`bytea`) in PostgreSQL.
    case digest(Digest)
    /// Bytes that are not a digest, in a digest column of PostgreSQL (changed outside mreg).
    case bytes([UInt8])
}

/// A Swift value that binds as an SQL argument.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLBindable {
    public var sqlValue: SQLValue { .integer(self) }
}

extension Double: SQLBindable {
    public var sqlValue: SQLValue { .real(self) }
}

extension String: SQLBindable {
    public var sqlValue: SQLValue { .text(self) }
}

extension Bool: SQLBindable {
    public var sqlValue: SQLValue { .boolean(self) }
}

/// A digest binds as the engine keeps digests (`SQLValue.digest`): bind the digest, never its text.
extension Digest: SQLBindable {
    public var sqlValue: SQLValue { .digest(self) }
}

/// A version key binds as the engine's row id of `versions`.
extension VersionKey: SQLBindable {
    public var sqlValue: SQLValue { .integer(storeValue) }
}

extension [(any SQLBindable)?] {
    /// The arguments as values, `nil` as SQL NULL.
    public var sqlValues: [SQLValue] { map { $0?.sqlValue ?? .null } }
}
