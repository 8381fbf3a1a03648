/// Who registered a version: the user and host, and the CI job when one ran it.
public struct Registrant: Hashable, Sendable, Codable {
    public let user: String
    public let host: String
    /// `github-actions`, `gitlab-ci`, `jenkins`, … when a CI provider's variables were present.
    public let ciProvider: String?
    public let ciJobID: String?
    public let ciJobURL: String?

    public init(user: String, host: String, ciProvider: String? = nil, ciJobID: String? = nil, ciJobURL: String? = nil) {
        self.user = user
        self.host = host
        self.ciProvider = ciProvider
        self.ciJobID = ciJobID
        self.ciJobURL = ciJobURL
    }
}
