/// Who registered a version: the user and host, and the CI job when one ran it.
public struct Registrant: Hashable, Sendable, Codable {
    public let user: String
    public let host: String
    /// `github-actions`, `gitlab-ci`, `jenkins`, … when a CI provider's variables were present.
    public let ciProvider: String?
    public let ciJobID: String?
    public let ciJobURL: String?
    /// The person the CI provider says started the job (`GITHUB_ACTOR`, `GITLAB_USER_LOGIN`, …):
    /// `user` is the runner's account there.
    public let ciActor: String?

    public init(user: String, host: String, ciProvider: String? = nil, ciJobID: String? = nil, ciJobURL: String? = nil, ciActor: String? = nil) {
        self.ciActor = ciActor
        self.user = user
        self.host = host
        self.ciProvider = ciProvider
        self.ciJobID = ciJobID
        self.ciJobURL = ciJobURL
    }
}
