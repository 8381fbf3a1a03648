internal import Clibgit2

/// A failed libgit2 call: its return code, libgit2's message, and which function failed.
public struct GitError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let function: String

    /// libgit2's code for "repository path is not owned by current user".
    public static let ownershipCode: Int32 = -36
    public static let notFoundCode: Int32 = -3

    /// libgit2 1.5 reports a foreign-owned repository either as -36 or, when no safe.directory is
    /// configured, as a failed lookup of that setting (-3, "config value 'safe.directory' was not found").
    public var isOwnershipFailure: Bool { code == Self.ownershipCode || message.contains("safe.directory") }

    public var description: String { "\(function) failed (\(code)): \(message)" }

    /// Builds the error from libgit2's thread-local last error, read right after the failing call.
    static func last(code: Int32, function: String) -> GitError {
        let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown libgit2 error"
        return GitError(code: code, message: message, function: function)
    }
}

/// Calls a libgit2 function and throws its error when the result is negative.
@discardableResult
func check(_ result: Int32, _ function: String) throws(GitError) -> Int32 {
    guard result >= 0 else { throw GitError.last(code: result, function: function) }
    return result
}

/// `git_libgit2_init` must run once before any repository call; Swift runs a global's
/// initialiser exactly once, lazily and thread-safely.
private let libgit2Initialized: Bool = {
    git_libgit2_init()
    return true
}()

func ensureLibgit2() {
    precondition(libgit2Initialized)
}
