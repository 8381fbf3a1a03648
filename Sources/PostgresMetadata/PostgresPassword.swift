import Foundation

/// Finds the password for an address as libpq does: `PGPASSWORD`, else the first matching line of
/// the password file (`PGPASSFILE`, or `~/.pgpass`), which must not be readable by others.
/// The environment is given by the caller (only the CLI reads the process's own).
public enum PostgresPassword {
    public static func find(for address: PostgresAddress, environment: [String: String]) -> String? {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        let path = environment["PGPASSFILE"] ?? environment["HOME"].map { "\($0)/.pgpass" }
        guard let path, let text = readPrivateFile(path) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [address.passwordFileHost, String(address.port), address.database, address.user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The file's text, unless others can read it (libpq ignores such a file, and so does mreg).
    private static func readPrivateFile(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 == 0 else { return nil }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// Splits a line on unescaped colons; `\:` and `\\` stand for themselves.
    private static func split(_ line: String) -> [String] {
        var fields = [String](), field = "", escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}
