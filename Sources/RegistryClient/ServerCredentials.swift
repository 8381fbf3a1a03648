import Foundation
import RegistryKit

/// Where a client's token comes from: `MREG_TOKEN`, else the credentials file (never the
/// command line, which shell histories and process lists keep).
///
/// The file is `$MREG_CREDENTIALS`, else `$XDG_CONFIG_HOME/mreg/credentials`, else
/// `~/.config/mreg/credentials`: one `URL TOKEN` line per server, `#` comments. It must be
/// readable by its owner only (mode 0600), as ssh insists for keys; `mreg login` writes it so.
public enum ServerCredentials {
    public static func token(for address: ServerAddress, environment: [String: String]) throws(RegistryError) -> String? {
        if let token = environment["MREG_TOKEN"], !token.isEmpty { return token.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let path = file(environment: environment) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard info.st_mode & 0o077 == 0 else {
            throw RegistryError(
                .usage, "the credentials file '\(path)' can be read by others (mode \(String(info.st_mode & 0o777, radix: 8)))",
                hint: "run 'chmod 600 \(path)'")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RegistryError(.io, "cannot read the credentials file '\(path)'", hint: "check its owner and permissions")
        }
        return entries(text).first { $0.server == address.base }?.token
    }

    /// The credentials file's path, or nil when no home is known.
    public static func file(environment: [String: String]) -> String? {
        if let explicit = environment["MREG_CREDENTIALS"], !explicit.isEmpty { return explicit }
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/mreg/credentials" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/mreg/credentials" }
        return nil
    }

    /// The `URL TOKEN` lines of a credentials file.
    static func entries(_ text: String) -> [(server: String, token: String)] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count == 2, !words[0].hasPrefix("#") else { return nil }
            var server = String(words[0])
            while server.hasSuffix("/") { server.removeLast() }
            return (server, String(words[1]))
        }
    }

    /// Records `token` for `address` in the credentials file, replacing an earlier one: written
    /// to a new file of mode 0600 and renamed over the old, so no reader sees half a file.
    public static func store(_ token: String, for address: ServerAddress, environment: [String: String]) throws(RegistryError) -> String {
        guard let path = file(environment: environment) else {
            throw RegistryError(.usage, "no place for the credentials file: HOME is not set", hint: "set MREG_CREDENTIALS to a file path")
        }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let kept = existing.split(whereSeparator: \.isNewline).filter { line in
            guard let first = line.split(whereSeparator: \.isWhitespace).first else { return true }
            var server = String(first)
            while server.hasSuffix("/") { server.removeLast() }
            return server != address.base
        }
        let text = (kept.map(String.init) + ["\(address.base) \(token)"]).joined(separator: "\n") + "\n"
        let temporary = path + ".new-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw RegistryError(.io, "cannot write '\(temporary)': \(String(cString: strerror(errno)))", hint: "check that '\(folder)' is yours to write")
        }
        let bytes = Array(text.utf8)
        let written = write(descriptor, bytes, bytes.count) == bytes.count && fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw RegistryError(.io, "cannot write the credentials file '\(path)'", hint: "check the disk and the folder's permissions")
        }
        return path
    }
}
