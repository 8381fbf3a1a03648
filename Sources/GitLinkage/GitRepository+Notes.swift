internal import Clibgit2
import Foundation

extension GitRepository {
    /// The notes ref mreg writes to, so `git log --notes=mreg` shows which models a commit produced.
    public static let notesRef = "refs/notes/mreg"

    /// The note on a commit under `ref`, or nil when there is none.
    public func note(on commit: String, ref: String = notesRef) throws(GitError) -> String? {
        var oid = git_oid()
        try check(git.git_oid_fromstr(&oid, commit), "git_oid_fromstr")
        var note: OpaquePointer?
        let result = git.git_note_read(&note, handle, ref, &oid)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "git_note_read")
        defer { git.git_note_free(note) }
        return git.git_note_message(note).map { String(cString: $0) }
    }

    /// Adds `line` to the commit's note under `ref` (creating it), unless the note already has it.
    /// The note is signed by the repository's configured user, else by "mreg".
    public func appendNote(_ line: String, on commit: String, ref: String = notesRef) throws(GitError) {
        let existing = try note(on: commit, ref: ref)
        let lines = existing.map { $0.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) } ?? []
        guard !lines.contains(line) else { return }
        let message = (lines + [line]).joined(separator: "\n") + "\n"
        var oid = git_oid()
        try check(git.git_oid_fromstr(&oid, commit), "git_oid_fromstr")
        var signature: UnsafeMutablePointer<git_signature>?
        if git.git_signature_default(&signature, handle) != 0 {
            try check(git.git_signature_now(&signature, "mreg", "mreg@localhost"), "git_signature_now")
        }
        defer { git.git_signature_free(signature) }
        var noteID = git_oid()
        try check(git.git_note_create(&noteID, handle, ref, signature, signature, &oid, message, 1), "git_note_create")
    }
}
