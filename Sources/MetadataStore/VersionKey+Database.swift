import GRDB
import RegistryModel
import RegistryStorage

/// A version key is SQLite's row id of `versions`: bound and read as an integer.
extension VersionKey: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { storeValue.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> VersionKey? {
        Int64.fromDatabaseValue(dbValue).map(VersionKey.init(storeValue:))
    }
}
