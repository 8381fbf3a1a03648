import Foundation
import GitLinkage
import RegistryModel
import TOML

/// The registry's general settings, `config.toml` beside `policy.toml` (README, "Configuration").
public struct RegistryConfig: Sendable, Equatable {
    /// Write a git note under refs/notes/mreg on each registered version's commit.
    public var recordGitNotes = false
    /// `[retention]`: which versions `mreg retention` deletes; nil when the section is absent.
    public var retention: RetentionRules?

    public init() {}

    public static let keys = ["record_git_notes", "retention"]
}

extension Registry {
    /// The registry's settings; an absent `config.toml` means the defaults.
    public func config() throws(RegistryError) -> RegistryConfig {
        let path = layout.root + "/config.toml"
        guard let data = FileManager.default.contents(atPath: path) else { return RegistryConfig() }
        guard let text = String(data: data, encoding: .utf8) else { throw .usage("'\(path)' is not UTF-8 text") }
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch {
            throw RegistryError(error, file: path)
        }
        var config = RegistryConfig()
        for key in table.keys {
            let value = table[key]!
            switch key {
            case "record_git_notes":
                guard case .bool(let flag) = value.kind else {
                    throw .usage("'\(path)' line \(value.line), key '\(key)': must be true or false, not \(value.typeDescription)")
                }
                config.recordGitNotes = flag
            case "retention":
                guard case .table(let section) = value.kind else {
                    throw .usage("'\(path)' line \(value.line), key 'retention': must be a [retention] section")
                }
                config.retention = try RetentionRules.parse(section, file: path)
            default:
                throw .usage("'\(path)' line \(value.line), key '\(key)': unknown setting; known settings are \(RegistryConfig.keys.joined(separator: ", "))")
            }
        }
        return config
    }

    /// Notes the version on its commit (`git log --notes=mreg`); a failure is a warning, since
    /// the version itself is already recorded.
    func recordGitNote(_ version: VersionRecord, source: RegistrationRequest.GitSource, currentDirectory: String) -> String? {
        guard let commit = version.git?.commit else { return nil }
        return Self.appendGitNote(Self.gitNote(for: version), on: commit, source: source, currentDirectory: currentDirectory)
    }

    /// The line a version's commit gets in `refs/notes/mreg`.
    public static func gitNote(for version: VersionRecord) -> String {
        "mreg: \(version.model)@\(version.number) \(version.manifestDigest)"
    }

    /// Appends a note on a commit of the repository a registration read; returns a warning
    /// when it cannot (the version is recorded either way).
    public static func appendGitNote(_ note: String, on commit: String, source: RegistrationRequest.GitSource, currentDirectory: String) -> String? {
        let location: String
        switch source {
        case .none, .recorded: return nil
        case .discover(let directory): location = directory
        case .repository(let path): location = RegistryLocator.absolute(path, from: currentDirectory)
        }
        do {
            guard let repository = try GitRepository.discover(from: location) else { return nil }
            try repository.appendNote(note, on: commit)
            return nil
        } catch {
            return "warning: could not write the git note on \(commit.prefix(10)): \(error.message)"
        }
    }
}
