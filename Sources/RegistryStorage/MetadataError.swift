import RegistryModel

/// A failure of the metadata database, already phrased for the registry facade to map.
public enum MetadataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another process held the write lock for longer than the busy timeout; who, when known.
    case busy(waitedSeconds: Double, holder: LockHolder?)
    /// The database was written by a newer mreg (it has migrations this build does not know).
    case newerSchema(unknownMigrations: [String])
    /// The database file is not a usable SQLite database.
    case unreadable(path: String, message: String)
    /// Any other SQLite failure: the result code and SQLite's own message.
    case sqlite(code: Int32, message: String)
    /// A stored value mreg could not have written (a malformed digest, date or JSON document):
    /// the database was edited behind mreg's back.
    case corrupt(problem: String)
    /// The database server cannot be reached, or refuses the connection or the credentials:
    /// nothing was recorded, and the same command retried completes once it is back.
    case unavailable(engine: String, address: String, problem: String)
    /// Any other failure a database server reported: its error code and message.
    case server(engine: String, code: String, message: String)
    /// gc began collecting blobs the write references after the write's fence: nothing was
    /// written, and the write succeeds once it stores them again.
    case collected([Digest])

    public var description: String {
        switch self {
        case .busy(let seconds, _): "the metadata database stayed locked by another process for \(Int(seconds)) s"
        case .newerSchema(let names): "the metadata database has migrations this mreg does not know: \(names.joined(separator: ", "))"
        case .unreadable(let path, let message): "'\(path)' is not a usable SQLite database: \(message)"
        case .sqlite(let code, let message): "SQLite error \(code): \(message)"
        case .corrupt(let problem): "the metadata database holds a value mreg never writes: \(problem)"
        case .unavailable(let engine, let address, let problem): "\(engine) at \(address) is unavailable: \(problem)"
        case .server(let engine, let code, let message): "\(engine) error \(code): \(message)"
        case .collected(let digests): "gc collected \(digests.count) blob(s) this write references (\(digests[0])\(digests.count > 1 ? ", …" : "")) while it ran"
        }
    }
}
