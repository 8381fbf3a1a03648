import Foundation

/// The process that holds the database's write lock, for a "locked" message that says who and since when.
public struct LockHolder: Equatable, Sendable {
    public let pid: Int32
    public let command: String
    public let startedAt: Date?

    public init(pid: Int32, command: String, startedAt: Date?) {
        self.pid = pid
        self.command = command
        self.startedAt = startedAt
    }
}
