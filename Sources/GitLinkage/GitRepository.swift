import Foundation
internal import Clibgit2
import RegistryModel

/// A git repository opened through libgit2; owns its handle and frees it in `deinit`.
public final class GitRepository {
    let handle: OpaquePointer
    /// The work tree's root (or the git directory of a bare repository).
    public let workTree: String

    private init(handle: OpaquePointer) {
        self.handle = handle
        workTree = (git.git_repository_workdir(handle) ?? git.git_repository_path(handle)).map { String(cString: $0) } ?? ""
    }

    deinit {
        git.git_repository_free(handle)
    }

    /// Finds the repository containing `path`, searching upwards; nil when there is none.
    public static func discover(from path: String) throws(GitError) -> GitRepository? {
        try LibGit2.load()
        var buffer = git_buf()
        defer { git.git_buf_dispose(&buffer) }
        let found = git.git_repository_discover(&buffer, path, 0, nil)
        if found == GitError.notFoundCode { return nil }
        try check(found, "git_repository_discover")
        return try open(String(cString: buffer.ptr))
    }

    public static func open(_ path: String) throws(GitError) -> GitRepository {
        try LibGit2.load()
        var handle: OpaquePointer?
        try check(git.git_repository_open(&handle, path), "git_repository_open")
        return GitRepository(handle: handle!)
    }

    /// Creates a new repository with a work tree at `path` (tests and demos use it).
    public static func initialize(at path: String) throws(GitError) -> GitRepository {
        try LibGit2.load()
        var handle: OpaquePointer?
        try check(git.git_repository_init(&handle, path, 0), "git_repository_init")
        return GitRepository(handle: handle!)
    }

    /// The state of HEAD and the work tree; nil when the repository has no commit yet.
    ///
    /// Changes under `ignoring` (work-tree-relative folder prefixes ending in `/`) do not count:
    /// the registry's own files inside the repository are not the code that built the model.
    public func provenance(ignoring prefixes: [String] = []) throws(GitError) -> GitProvenance? {
        guard let commitID = try headCommitID() else { return nil }
        var commit: OpaquePointer?
        var oid = commitID
        try check(git.git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
        defer { git.git_commit_free(commit) }
        let message = git.git_commit_message(commit).map { String(cString: $0) } ?? ""
        var author = ""
        if let signature = git.git_commit_author(commit) {
            author = "\(String(cString: signature.pointee.name)) <\(String(cString: signature.pointee.email))>"
        }
        let committedAt = Date(timeIntervalSince1970: TimeInterval(git.git_commit_time(commit)))
        let changed = try changedPaths().filter { path in !prefixes.contains { path.hasPrefix($0) || path + "/" == $0 } }
        return GitProvenance(
            commit: Self.hex(commitID), branch: try branchName(), remoteURL: try configString("remote.origin.url"),
            message: message.trimmingCharacters(in: .whitespacesAndNewlines), author: author, committedAt: committedAt,
            dirty: !changed.isEmpty, changedPaths: changed, workTree: workTree)
    }

    /// HEAD's commit id, or nil on an unborn branch (no commit yet).
    func headCommitID() throws(GitError) -> git_oid? {
        var oid = git_oid()
        let result = git.git_reference_name_to_id(&oid, handle, "HEAD")
        if result == GitError.notFoundCode || result == GIT_EUNBORNBRANCH.rawValue { return nil }
        try check(result, "git_reference_name_to_id")
        return oid
    }

    /// The checked-out branch's short name, or nil when HEAD is detached.
    func branchName() throws(GitError) -> String? {
        if try check(git.git_repository_head_detached(handle), "git_repository_head_detached") == 1 { return nil }
        var reference: OpaquePointer?
        try check(git.git_repository_head(&reference, handle), "git_repository_head")
        defer { git.git_reference_free(reference) }
        return git.git_reference_shorthand(reference).map { String(cString: $0) }
    }

    /// Reads one config value as written (no `url.insteadOf` rewriting), nil when unset.
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check(git.git_repository_config_snapshot(&config, handle), "git_repository_config_snapshot")
        defer { git.git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let result = git.git_config_get_string(&value, config, key)
        if result == GitError.notFoundCode { return nil }
        try check(result, "git_config_get_string")
        return value.map { String(cString: $0) }
    }

    /// Paths that differ from HEAD in the index or the work tree, untracked files included.
    func changedPaths() throws(GitError) -> [String] {
        var options = git_status_options()
        try check(git.git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var list: OpaquePointer?
        try check(git.git_status_list_new(&list, handle, &options), "git_status_list_new")
        defer { git.git_status_list_free(list) }
        var paths = Set<String>()
        for index in 0..<git.git_status_list_entrycount(list) {
            guard let entry = git.git_status_byindex(list, index) else { continue }
            if entry.pointee.status.rawValue & GIT_STATUS_IGNORED.rawValue != 0 { continue }
            for delta in [entry.pointee.head_to_index, entry.pointee.index_to_workdir] {
                guard let delta else { continue }
                if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
                if let path = delta.pointee.old_file.path { paths.insert(String(cString: path)) }
            }
        }
        return paths.sorted()
    }

    static func hex(_ oid: git_oid) -> String {
        withUnsafeBytes(of: oid.id) { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }
}
