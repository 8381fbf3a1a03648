import Glibc
import RegistryModel

/// A failure of a blob store, with enough context to tell the user which file and why.
public enum ContentStoreError: Error, Hashable, Sendable {
    /// A system call failed; `errno` says why.
    case io(operation: String, path: String, errno: Int32)
    case digestMismatch(expected: Digest, actual: Digest, path: String)
    case sizeMismatch(expected: Int64, actual: Int64, path: String)
    case missingBlob(Digest)
    /// The blob's bytes hash to `actual`; it was moved aside to `movedTo` (nil: it could not be).
    case corruptBlob(Digest, actual: Digest, movedTo: String?)
    /// A remote store cannot be reached, refuses the credentials, or broke off (nothing was recorded).
    case unavailable(engine: String, address: String, problem: String)
    /// A remote store answered, but refused what was asked (a malformed request, a disabled operation).
    case refused(engine: String, address: String, problem: String)
}

extension ContentStoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            "cannot \(operation) '\(path)': \(String(cString: strerror(code)))"
        case .digestMismatch(let expected, let actual, let path):
            "'\(path)' has digest \(actual), expected \(expected)"
        case .sizeMismatch(let expected, let actual, let path):
            "'\(path)' has \(actual) bytes, expected \(expected)"
        case .missingBlob(let digest):
            "blob \(digest) is missing from the store"
        case .corruptBlob(let digest, let actual, let movedTo):
            "blob \(digest) is corrupt (its content hashes to \(actual))" + (movedTo.map { "; moved aside to '\($0)'" } ?? "")
        case .unavailable(let engine, let address, let problem):
            "\(engine) at \(address) is unavailable: \(problem)"
        case .refused(let engine, let address, let problem):
            "\(engine) at \(address) refused: \(problem)"
        }
    }
}
