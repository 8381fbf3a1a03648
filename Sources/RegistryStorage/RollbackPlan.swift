import RegistryModel

/// A version rollback may return to, with why it may be passed over.
public struct RollbackCandidate: Sendable {
    public let id: VersionKey
    public let version: VersionPointer
    public let status: VersionStatus

    public init(id: VersionKey, version: VersionPointer, status: VersionStatus) {
        self.id = id
        self.version = version
        self.status = status
    }
}

/// The alias's current holder and the earlier holders a rollback considers, newest first.
public struct RollbackPlan: Sendable {
    public let current: (id: VersionKey, version: VersionPointer)?
    public let candidates: [RollbackCandidate]

    public init(current: (id: VersionKey, version: VersionPointer)?, candidates: [RollbackCandidate]) {
        self.current = current
        self.candidates = candidates
    }
}
