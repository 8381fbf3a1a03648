import Foundation
import RegistryModel

/// Everything `mreg register` was asked to record; parsing of flags and files is already done.
public struct RegistrationRequest: Sendable {
    /// How to find the git commit the model was built from.
    public enum GitSource: Sendable, Equatable {
        /// Discover the repository containing this directory (the current directory).
        case discover(from: String)
        /// Use the repository at this path (`--git PATH`).
        case repository(String)
        /// Record no git information (`--no-git`).
        case none
        /// What a client read from its own repository (a server reads none of its own).
        case recorded(GitProvenance?)
    }

    public var model: String
    public var paths: [String]
    public var params: [String: JSONValue] = [:]
    /// `(role, path)` in the order given.
    public var datasets: [(role: String, path: String)] = []
    public var metrics: [Metric] = []
    public var labels: [String: String] = [:]
    public var description: String?
    public var parent: String?
    public var git: GitSource
    public var requireClean = false
    public var storeDatasets = false
    public var registrant: Registrant
    /// Relative paths are resolved against this directory.
    public var currentDirectory: String

    public init(model: String, paths: [String], git: GitSource, registrant: Registrant, currentDirectory: String) {
        self.model = model
        self.paths = paths
        self.git = git
        self.registrant = registrant
        self.currentDirectory = currentDirectory
    }
}

/// The result of `register`: the version, whether it is new, and what to tell the user.
public struct RegistrationOutcome: Sendable {
    public let version: VersionRecord
    /// False when an identical registration already existed and was returned instead.
    public let created: Bool
    /// Bytes written as new blobs (0 for an identical retry).
    public let bytesStored: Int64
    public var warnings: [String]
}
