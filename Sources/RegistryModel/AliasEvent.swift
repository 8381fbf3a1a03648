import Foundation

/// One entry of the registry's append-only ledger: an alias move or a change of a version's status.
///
/// Each event carries the digest of the one before it, so the ledger is a hash chain: changing,
/// removing or reordering any event behind mreg's back breaks every digest after it, and
/// `mreg verify` names the first event that no longer fits.
public struct AliasEvent: Sendable, Equatable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case promote
        case demote
        case rollback
        case deprecate
    }

    /// Position in the ledger: 1, 2, 3, … with no gaps.
    public let sequence: Int64
    public let at: Date
    public let model: ModelName
    /// The alias moved; nil for a status change (`deprecate`).
    public let alias: AliasName?
    public let action: Action
    /// The version the alias pointed at before (nil: it pointed at nothing).
    public let from: VersionPointer?
    /// The version it points at after (nil after `demote`); the version concerned for `deprecate`.
    public let to: VersionPointer?
    public let actor: Registrant
    public let reason: String?
    /// Whether failed gates were overridden with `--force`.
    public let forced: Bool
    /// The gate report as canonical JSON (`[]` when no gates ran).
    public let gates: String
    public let previousDigest: Digest?

    public init(
        sequence: Int64, at: Date, model: ModelName, alias: AliasName?, action: Action, from: VersionPointer?, to: VersionPointer?,
        actor: Registrant, reason: String?, forced: Bool, gates: String, previousDigest: Digest?
    ) {
        self.sequence = sequence
        self.at = at
        self.model = model
        self.alias = alias
        self.action = action
        self.from = from
        self.to = to
        self.actor = actor
        self.reason = reason
        self.forced = forced
        self.gates = gates
        self.previousDigest = previousDigest
    }

    /// The bytes the event's digest is computed over: canonical JSON of every field.
    ///
    /// Versions appear by number and manifest digest, so the chain stays meaningful outside the
    /// database (an exported ledger can be checked against the blobs alone).
    public func canonicalBytes() -> [UInt8] {
        func pointer(_ version: VersionPointer?) -> JSONValue {
            guard let version else { return .null }
            return .object(["version": .integer(Int64(version.number)), "digest": .string(version.manifestDigest.description)])
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let object: JSONValue = .object([
            "format": .string("mreg-event-v1"),
            "sequence": .integer(sequence),
            "at": .string(Timestamp.format(at)),
            "model": .string(model.value),
            "alias": text(alias?.value),
            "action": .string(action.rawValue),
            "from": pointer(from),
            "to": pointer(to),
            "actor": .object([
                "user": .string(actor.user), "host": .string(actor.host), "ci_provider": text(actor.ciProvider),
                "ci_job_id": text(actor.ciJobID), "ci_job_url": text(actor.ciJobURL),
            ]),
            "reason": text(reason),
            "forced": .bool(forced),
            "gates": .string(gates),
            "previous": text(previousDigest?.description),
        ])
        // Every value above is a string, integer, boolean or null: encoding cannot fail.
        return (try? CanonicalJSON.encode(object)) ?? []
    }
}

/// An event as stored: the event and the digest recorded with it.
public struct RecordedEvent: Sendable, Equatable {
    public let event: AliasEvent
    public let digest: Digest

    public init(event: AliasEvent, digest: Digest) {
        self.event = event
        self.digest = digest
    }
}
