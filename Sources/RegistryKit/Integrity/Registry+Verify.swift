import ContentStore
import Foundation
import MetadataStore
import RegistryModel

/// One thing `verify` found wrong, with everything it affects.
public struct IntegrityProblem: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable {
        case missing
        case corrupt
        case unreadable
        /// The stored manifest and the database disagree about a version's files.
        case manifestMismatch = "manifest_mismatch"
        /// A file in `blobs/sha256/` whose name is not a digest.
        case strayFile = "stray_file"
        /// A stored signature that does not verify over the version's manifest digest.
        case badSignature = "bad_signature"
        /// A stored signature by a key the registry does not trust.
        case untrustedSignature = "untrusted_signature"
        /// The ledger's hash chain is broken: an event was altered, removed or reordered.
        case ledger
    }

    public let kind: Kind
    public let digest: Digest?
    public let detail: String
    /// `churn@3 file model.bin`, … : every reference that this problem breaks.
    public let affected: [String]
}

/// What `verify` checked and found.
public struct VerifyReport: Sendable {
    public let versionsChecked: Int
    public let blobsChecked: Int
    public let signaturesChecked: Int
    /// Ledger events whose chain was checked (whole-store checks only).
    public let eventsChecked: Int
    public let bytesChecked: Int64
    public let problems: [IntegrityProblem]
    /// Blobs that no version or stored dataset references (only for a whole-store check);
    /// harmless leftovers of interrupted registrations, reported for information.
    public let unreferencedBlobs: [Digest]
    public var isIntact: Bool { problems.isEmpty }
}

extension Registry {
    /// Re-hashes every blob the named versions reference (all versions when `references` is
    /// empty) and cross-checks each version's stored manifest against the database.
    ///
    /// `expectedHead` is a ledger head digest recorded earlier (what `history` prints): the chain
    /// alone cannot show that its newest events were cut off, but the head it once had must
    /// still be in it.
    public func verify(_ references: [String], expectedHead: Digest? = nil, progress: (any ProgressDisplay)? = nil) throws(RegistryError) -> VerifyReport {
        let wholeStore = references.isEmpty
        var ids = [Int64]()
        for reference in references { ids.append(try resolve(reference: reference).id) }
        if wholeStore { ids = try database { (db) throws(MetadataError) in try db.allVersionIDs() } }
        let blobReferences = try database { (db) throws(MetadataError) in try db.blobReferences(versionIDs: wholeStore ? nil : ids) }

        var owners = [Digest: [String]]()
        var expectedSizes = [Digest: Int64]()
        for reference in blobReferences {
            owners[reference.digest, default: []].append(reference.owner)
            if let size = reference.size { expectedSizes[reference.digest] = size }
        }
        let digests = owners.keys.sorted { (expectedSizes[$0] ?? 0) > (expectedSizes[$1] ?? 0) }
        let task = progress?.begin("verify", totalBytes: digests.reduce(0) { $0 + (expectedSizes[$1] ?? 0) })
        let store = blobs
        let statuses = try Parallel.map(digests) { (digest) throws(RegistryError) -> (Digest, BlobStatus) in
            (digest, store.verify(digest, progress: task))
        }
        task?.finish()

        var problems = [IntegrityProblem]()
        var bytes: Int64 = 0
        for (digest, status) in statuses {
            let affected = owners[digest, default: []].sorted()
            switch status {
            case .intact(let size):
                bytes += size
                if let expected = expectedSizes[digest], expected != size {
                    problems.append(IntegrityProblem(kind: .corrupt, digest: digest, detail: "blob \(digest) has \(size) bytes, the database records \(expected)", affected: affected))
                }
            case .missing:
                problems.append(IntegrityProblem(kind: .missing, digest: digest, detail: "blob \(digest) is missing", affected: affected))
            case .corrupt(let actual):
                problems.append(IntegrityProblem(kind: .corrupt, digest: digest, detail: "blob \(digest) is corrupt: its bytes hash to \(actual)", affected: affected))
            case .unreadable(let reason):
                problems.append(IntegrityProblem(kind: .unreadable, digest: digest, detail: "blob \(digest) cannot be read: \(reason)", affected: affected))
            }
        }
        let damaged = Set(problems.compactMap(\.digest))
        var signaturesChecked = 0
        for id in ids {
            guard let record = try database({ (db) throws(MetadataError) in try db.record(id: id) }) else { continue }
            if let problem = try manifestProblem(record, damaged: damaged) { problems.append(problem) }
            let checks = try signatureChecks(of: record)
            signaturesChecked += checks.count
            problems += Self.signatureProblems(checks, of: record)
        }
        var eventsChecked = 0
        if wholeStore {
            let ledger = try verifyLedger(expectedHead: expectedHead)
            eventsChecked = ledger.checked
            if let problem = ledger.problem { problems.append(problem) }
        }

        var unreferenced = [Digest]()
        if wholeStore {
            let listing = try storeBlob { () throws(ContentStoreError) in try blobs.listBlobs() }
            unreferenced = listing.blobs.filter { owners[$0] == nil }
            for name in listing.strayNames {
                problems.append(IntegrityProblem(kind: .strayFile, digest: nil, detail: "'\(blobs.blobsDirectory)/\(name)' is not a blob (its name is not a digest)", affected: []))
            }
        }
        return VerifyReport(
            versionsChecked: ids.count, blobsChecked: digests.count, signaturesChecked: signaturesChecked, eventsChecked: eventsChecked,
            bytesChecked: bytes, problems: problems, unreferencedBlobs: unreferenced)
    }

    /// Compares a version's stored manifest (already re-hashed) with the files the database lists.
    private func manifestProblem(_ record: VersionRecord, damaged: Set<Digest>) throws(RegistryError) -> IntegrityProblem? {
        guard !damaged.contains(record.manifestDigest) else { return nil }
        let name = "\(record.model)@\(record.number)"
        guard let bytes = try? blobs.readVerified(record.manifestDigest),
            let manifest = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
            let files = Manifest.files(inManifest: manifest)
        else {
            return IntegrityProblem(
                kind: .manifestMismatch, digest: record.manifestDigest, detail: "the manifest of \(name) cannot be read as a manifest", affected: [name])
        }
        let modelMatches = manifest.objectValue?["model"] == .string(record.model.value)
        guard modelMatches, files == record.files else {
            return IntegrityProblem(
                kind: .manifestMismatch, digest: record.manifestDigest,
                detail: "the database's record of \(name) does not match its manifest (the database was changed outside mreg)", affected: [name])
        }
        return nil
    }
}

extension Registry {
    static func signatureProblems(_ checks: [SignatureCheck], of record: VersionRecord) -> [IntegrityProblem] {
        let name = "\(record.model)@\(record.number)"
        return checks.compactMap { check in
            switch check.state {
            case .valid:
                return nil
            case .untrusted:
                return IntegrityProblem(
                    kind: .untrustedSignature, digest: record.manifestDigest,
                    detail: "\(name) carries a signature by key '\(check.keyName)' (\(check.fingerprint.short)), which this registry does not trust",
                    affected: [name])
            case .invalid:
                return IntegrityProblem(
                    kind: .badSignature, digest: record.manifestDigest,
                    detail: "the signature of \(name) by key '\(check.keyName)' does not match its manifest digest \(record.manifestDigest.short) (the manifest or the signature was altered)",
                    affected: [name])
            }
        }
    }

    /// Re-derives every event digest and chain link; returns the first break, which every later
    /// event inherits.
    func verifyLedger(expectedHead: Digest? = nil) throws(RegistryError) -> (checked: Int, problem: IntegrityProblem?) {
        let stored = try database { (db) throws(MetadataError) in try db.storedEvents() }
        if let expectedHead, !stored.contains(where: { $0.digest == expectedHead.description }) {
            return (stored.count, IntegrityProblem(
                kind: .ledger, digest: nil,
                detail: "the ledger no longer holds the event with digest \(expectedHead) (head #\(stored.last?.sequence ?? 0) now): events at or after it were removed outside mreg, or the digest is from another registry",
                affected: ["ledger"]))
        }
        var expected: Int64 = 1
        var previous: Digest?
        for row in stored {
            func broken(_ detail: String) -> (Int, IntegrityProblem?) {
                (stored.count, IntegrityProblem(kind: .ledger, digest: nil, detail: detail + "; the history was changed outside mreg", affected: ["ledger event #\(row.sequence)"]))
            }
            if row.sequence != expected {
                return broken(row.sequence > expected
                    ? "ledger event #\(expected) is missing (the next stored event is #\(row.sequence))"
                    : "ledger event #\(row.sequence) is out of order after #\(expected - 1)")
            }
            guard let event = row.event else { return broken("ledger event #\(row.sequence) cannot be read: \(row.problem ?? "malformed")") }
            if BlobStore.digest(of: event.canonicalBytes()).description != row.digest {
                return broken("ledger event #\(row.sequence) was altered: its contents no longer match its digest")
            }
            if event.previousDigest != previous {
                return broken("ledger event #\(row.sequence) does not link to event #\(row.sequence - 1): an event before it was removed, replaced or reordered")
            }
            previous = Digest(parsing: row.digest)
            expected += 1
        }
        return (stored.count, nil)
    }
}
