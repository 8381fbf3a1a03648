import RegistryModel

/// The one error type of the registry facade: what went wrong, in a sentence a user understands,
/// and the command or action that fixes it. Every lower error is mapped to this at the boundary.
public struct RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A bug in mreg: the message says so and what to report.
        case `internal`
        /// The operating system refused (disk full, permissions): not a bug, exit 1 all the same.
        case io
        case notFound = "not_found"
        case conflict
        case refused
        case integrity
        case noRegistry = "no_registry"
        case locked
        case unavailable = "backend_unavailable"
        case usage
        /// A registry server refused a call without a usable token (none, unknown, expired, revoked).
        case unauthenticated
        /// A registry server refused a call its token's role or grants do not allow.
        case forbidden

        /// The documented exit status (README, "Exit codes").
        public var exitCode: Int32 {
            switch self {
            case .internal, .io: 1
            case .notFound: 2
            case .conflict: 3
            case .refused, .unauthenticated, .forbidden: 4
            case .integrity: 5
            case .noRegistry: 10
            case .locked: 11
            case .unavailable: 12
            case .usage: 64
            }
        }
    }

    public let kind: Kind
    public let message: String
    public let hint: String?
    /// The command already printed its own `--json` document describing the failure (a refused
    /// promotion's report, a failed verification), so no separate error document follows it.
    public var documentPrinted = false
    /// The blobs gc collected while the command ran (a `.conflict` that retrying resolves).
    public var collectedBlobs: [Digest] = []

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var exitCode: Int32 { kind.exitCode }

    /// One line: the message, then the hint.
    public var description: String {
        guard let hint else { return message }
        return "\(message); \(hint)"
    }

    static func usage(_ message: String, hint: String? = nil) -> RegistryError { RegistryError(.usage, message, hint: hint) }
    static func notFound(_ message: String, hint: String? = nil) -> RegistryError { RegistryError(.notFound, message, hint: hint) }
    static func bug(_ message: String) -> RegistryError {
        RegistryError(.internal, "internal error: \(message)", hint: "this is a bug in mreg; please report it with the command you ran")
    }
}
