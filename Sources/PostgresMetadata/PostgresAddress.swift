import Foundation

/// Where a registry's metadata lives in PostgreSQL: `postgres://USER@HOST:PORT/DATABASE`, or a
/// unix socket as libpq writes it (`postgres://USER@/DATABASE?host=/run/postgresql`).
///
/// The address is committed with the registry's configuration, so it never carries a password:
/// that comes from `PGPASSWORD` or a password file (see `PostgresPassword`).
public struct PostgresAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Endpoint: Hashable, Sendable {
        case tcp(host: String, port: Int)
        /// The folder holding the socket `.s.PGSQL.PORT`.
        case socket(directory: String, port: Int)
    }

    /// How the connection is encrypted, after libpq's `sslmode`.
    public enum TLSMode: String, Hashable, Sendable {
        case disable, prefer, require
    }

    public let user: String
    public let endpoint: Endpoint
    public let database: String
    public let tls: TLSMode

    public init(user: String, endpoint: Endpoint, database: String, tls: TLSMode) {
        self.user = user
        self.endpoint = endpoint
        self.database = database
        self.tls = tls
    }

    /// The address as it is written in the configuration (and printed: it holds no secret).
    public var description: String {
        let query = tls == .prefer ? [] : ["sslmode=\(tls.rawValue)"]
        switch endpoint {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(Self.escape(user))@\(shown):\(port)/\(Self.escape(database))" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        case .socket(let directory, let port):
            let parameters = ["host=\(directory)"] + (port == 5432 ? [] : ["port=\(port)"]) + query
            return "postgres://\(Self.escape(user))@/\(Self.escape(database))?" + parameters.joined(separator: "&")
        }
    }

    /// The host as libpq's password file names it.
    public var passwordFileHost: String {
        switch endpoint {
        case .tcp(let host, _): host
        case .socket: "localhost"
        }
    }

    public var port: Int {
        switch endpoint {
        case .tcp(_, let port), .socket(_, let port): port
        }
    }

    /// Parses an address; the error says what is wrong with it.
    public init(parsing text: String) throws(PostgresAddressError) {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
            let components = URLComponents(string: text)
        else { throw PostgresAddressError("'\(text)' is not a postgres:// address (postgres://USER@HOST:PORT/DATABASE)") }
        if components.password != nil {
            throw PostgresAddressError("the address holds a password, and the configuration is committed; set PGPASSWORD or use a password file instead")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresAddressError("the address names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresAddressError("the address names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        var parameters = [String: String]()
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        let known: Set = ["host", "port", "sslmode"]
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw PostgresAddressError("the address has an unknown parameter '\(unknown)' (known: host, port, sslmode)")
        }
        var port = components.port ?? 5432
        if let text = parameters["port"] {
            guard let value = Int(text), (1...65535).contains(value) else { throw PostgresAddressError("the port '\(text)' is not a number from 1 to 65535") }
            port = value
        }
        let host = parameters["host"] ?? components.host ?? ""
        let endpoint: Endpoint
        if host.hasPrefix("/") {
            endpoint = .socket(directory: host, port: port)
        } else if host.isEmpty {
            throw PostgresAddressError("the address names no host (postgres://USER@HOST:PORT/DATABASE, or ?host=/socket/folder)")
        } else {
            endpoint = .tcp(host: host, port: port)
        }
        let tls: TLSMode
        if let mode = parameters["sslmode"] {
            guard let value = TLSMode(rawValue: mode) else { throw PostgresAddressError("sslmode '\(mode)' is not one of disable, prefer, require") }
            tls = value
        } else {
            tls = .prefer
        }
        self.init(user: user, endpoint: endpoint, database: database, tls: tls)
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/?#"))) ?? text
    }
}

/// Why a PostgreSQL address cannot be used.
public struct PostgresAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
