internal import Clibgit2

/// A failed libgit2 call: its return code, libgit2's message, and which function failed.
public struct GitError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let function: String

    /// libgit2's code for "repository path is not owned by current user".
    public static let ownershipCode: Int32 = -36
    public static let notFoundCode: Int32 = -3
    /// mreg's code for "libgit2 could not be loaded" (libgit2's own codes go down to -37).
    public static let unavailableCode: Int32 = -1000

    /// libgit2 is not installed (or not the version mreg was built against).
    public var isLibraryMissing: Bool { code == Self.unavailableCode }

    /// libgit2 1.5 reports a foreign-owned repository either as -36 or, when no safe.directory is
    /// configured, as a failed lookup of that setting (-3, "config value 'safe.directory' was not found").
    public var isOwnershipFailure: Bool { code == Self.ownershipCode || message.contains("safe.directory") }

    public var description: String { "\(function) failed (\(code)): \(message)" }

    /// Builds the error from libgit2's thread-local last error, read right after the failing call.
    static func last(code: Int32, function: String) -> GitError {
        let message = git.git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown libgit2 error"
        return GitError(code: code, message: message, function: function)
    }
}

/// Calls a libgit2 function and throws its error when the result is negative.
@discardableResult
func check(_ result: Int32, _ function: String) throws(GitError) -> Int32 {
    guard result >= 0 else { throw GitError.last(code: result, function: function) }
    return result
}

/// libgit2, loaded on the first repository call rather than when mreg starts (see `mreg_git.h`).
enum LibGit2 {
    private static let loaded: Result<mreg_git_api, GitError> = {
        var error = [CChar](repeating: 0, count: 512)
        guard let api = mreg_git_load(&error, error.count) else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(GitError(code: GitError.unavailableCode, message: message, function: "loading libgit2"))
        }
        return .success(api.pointee)
    }()

    /// Loads libgit2 if needed; every way to a `GitRepository` starts here.
    static func load() throws(GitError) {
        _ = try loaded.get()
    }

    /// The functions; only reached after `load()` succeeded, as a repository exists only then.
    static var functions: mreg_git_api {
        guard case .success(let api) = loaded else { preconditionFailure("libgit2 is called before it was loaded") }
        return api
    }
}

/// libgit2's functions, as `git.git_repository_open(…)`.
var git: mreg_git_api { LibGit2.functions }
