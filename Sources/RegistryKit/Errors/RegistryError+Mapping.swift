import Glibc
import RegistryStorage
import GitLinkage
import RegistryModel

/// One mapping per boundary: each lower module's error becomes a `RegistryError` here.
extension RegistryError {
    /// A metadata or blob server that cannot be reached, refuses the credentials or broke off (exit 12).
    static func backendUnavailable(engine: String, address: String, problem: String) -> RegistryError {
        RegistryError(
            .unavailable, "\(engine) at \(address) is unavailable: \(problem)",
            hint: "nothing was recorded; run the same command again once \(engine) is reachable")
    }

    public init(_ error: ContentStoreError) {
        switch error {
        case .io(let operation, let path, let code):
            let kind: Kind = code == 2 ? .notFound : .io
            self.init(kind, "cannot \(operation) '\(path)': \(Self.systemMessage(code))")
        case .digestMismatch, .sizeMismatch:
            self.init(.integrity, error.description, hint: "the file changed while it was read; run the command again")
        case .missingBlob(let digest):
            self.init(.integrity, "blob \(digest) is missing from the store", hint: "run 'mreg verify --all' to see what it affects")
        case .corruptBlob(let digest, let actual, let movedTo):
            self.init(
                .integrity,
                "blob \(digest) is corrupt (its bytes hash to \(actual)); nothing was served"
                    + (movedTo.map { ", and it was moved aside to '\($0)' for inspection" } ?? ""),
                hint: Self.repairHintText(movedTo: movedTo))
        case .unavailable(let engine, let address, let problem):
            self = .backendUnavailable(engine: engine, address: address, problem: problem)
        case .refused(let engine, let address, let problem):
            self.init(.refused, "\(engine) at \(address) refused the request: \(problem)", hint: "check the registry's settings and your access to it")
        }
    }

    public init(_ error: MetadataError) {
        switch error {
        case .busy(let seconds, let holder):
            let who = holder.map { holder in
                "process \(holder.pid) (\(Self.oneLine(holder.command, limit: 80)))" + (holder.startedAt.map { ", running since \(Timestamp.format($0))" } ?? "")
            } ?? "another process"
            self.init(
                .locked, "the registry database is locked by \(who) (waited \(Int(seconds)) s)",
                hint: "wait for it to finish and run this command again")
        case .newerSchema(let names):
            self.init(
                .noRegistry, "the registry was written by a newer mreg (unknown schema changes: \(names.joined(separator: ", ")))",
                hint: "upgrade mreg to use this registry")
        case .unreadable(let path, let message):
            self.init(.integrity, "the metadata database '\(path)' is unreadable: \(message)", hint: "restore it from a backup")
        case .sqlite(let code, let message):
            self = .bug("SQLite failed with code \(code): \(message)")
        case .corrupt(let problem):
            self.init(
                .integrity, "the metadata database was changed outside mreg: \(problem)",
                hint: "run 'mreg verify --all' to see what it affects, and restore the database from a backup")
        case .unavailable(let engine, let address, let problem):
            self = .backendUnavailable(engine: engine, address: address, problem: problem)
        case .server(let engine, let code, let message):
            self = .bug("\(engine) failed with code \(code): \(message)")
        case .collected(let digests):
            self.init(
                .conflict, "gc collected \(digests.count) blob(s) this command was about to reference (\(digests[0].short)\(digests.count > 1 ? ", …" : "")); nothing was recorded",
                hint: "run the command again: it stores them again (if a gc was stopped midway, 'mreg gc' finishes its work first)")
            collectedBlobs = digests
        }
    }

    init(_ error: GitError, repository: String) {
        if error.isLibraryMissing {
            self.init(
                .io, "cannot read the git repository at '\(repository)': \(error.message)",
                hint: "install libgit2 (Debian: apt-get install libgit2-dev), or pass --no-git to register without git information")
        } else if error.isOwnershipFailure {
            self.init(
                .refused, "git refuses to open '\(repository)': it is owned by another user",
                hint: "run 'git config --global --add safe.directory \(repository)' (the exact path, no trailing slash), or pass --no-git")
        } else {
            self.init(.io, "cannot read the git repository at '\(repository)': \(error.message) (\(error.function))", hint: "pass --no-git to register without git information")
        }
    }

    /// What repairs a corrupt blob: once it is moved aside, registering (or adding) the same
    /// bytes again stores them afresh for every version that names them.
    static func repairHintText(movedTo: String?) -> String {
        movedTo == nil
            ? "it could not be moved aside; delete it by hand, then register the original files again"
            : "register the original files again (any model name): their bytes are stored afresh and every version that uses them is whole again; 'mreg verify --all' shows what it affects"
    }

    /// Folds control characters to spaces and shortens, so a message or table cell stays one line.
    public static func oneLineText(_ text: String, limit: Int) -> String { oneLine(text, limit: limit) }

    static func oneLine(_ text: String, limit: Int) -> String {
        let folded = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return folded.count <= limit ? folded : String(folded.prefix(limit - 1)) + "…"
    }

    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
