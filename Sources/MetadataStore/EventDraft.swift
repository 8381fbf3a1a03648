import Foundation
import RegistryModel

/// An event to append to the ledger; the database assigns its sequence number and chain link.
public struct EventDraft: Sendable {
    public let model: ModelName
    public let alias: AliasName?
    public let action: AliasEvent.Action
    /// The version the alias moves to (nil for `demote`), or the version a status change concerns.
    public let toVersionID: Int64?
    public let at: Date
    public let actor: Registrant
    public let reason: String?
    public let forced: Bool
    public let gates: String
    /// The alias's holder the caller decided against; when it changed meanwhile, nothing is
    /// written and the caller re-evaluates (optimistic concurrency for racing promotions).
    public let expectedHolderID: Int64??

    public init(
        model: ModelName, alias: AliasName?, action: AliasEvent.Action, toVersionID: Int64?, at: Date, actor: Registrant,
        reason: String?, forced: Bool, gates: String, expectedHolderID: Int64??
    ) {
        self.model = model
        self.alias = alias
        self.action = action
        self.toVersionID = toVersionID
        self.at = at
        self.actor = actor
        self.reason = reason
        self.forced = forced
        self.gates = gates
        self.expectedHolderID = expectedHolderID
    }
}

/// What appending an event did.
public enum AppendOutcome: Sendable, Equatable {
    case appended(RecordedEvent)
    /// The alias no longer points where the caller expected; nothing was written.
    case holderChanged(current: Int64?)
    /// The alias already points at the target version; nothing was written.
    case unchanged
}

/// A signature stored with a version.
public struct StoredSignature: Sendable, Equatable {
    public let keyFingerprint: Digest
    public let keyName: String
    public let signature: [UInt8]
    public let signedAt: Date
    public let signedBy: String

    public init(keyFingerprint: Digest, keyName: String, signature: [UInt8], signedAt: Date, signedBy: String) {
        self.keyFingerprint = keyFingerprint
        self.keyName = keyName
        self.signature = signature
        self.signedAt = signedAt
        self.signedBy = signedBy
    }
}

/// The ledger's rows exactly as stored, for `verify` to re-derive every digest.
public struct StoredEvent: Sendable {
    /// The event rebuilt from its columns; nil when a column holds something mreg never writes.
    public let event: AliasEvent?
    public let sequence: Int64
    public let digest: String
    public let problem: String?
}
