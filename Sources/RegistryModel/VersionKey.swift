/// A metadata store's own key for a version row: opaque above the store.
///
/// Versions are named to people and in documents by model, number and manifest digest; this key
/// only takes a version from one store call to the next (SQLite's row id today, a PostgreSQL
/// key later), so nothing outside a store may read meaning into it.
public struct VersionKey: Hashable, Sendable, CustomStringConvertible {
    /// The store's value; only stores read it.
    public let storeValue: Int64

    public init(storeValue: Int64) {
        self.storeValue = storeValue
    }

    public var description: String { "#\(storeValue)" }
}
