import ContentHashing
import RegistryStorage
import Foundation
import RegistryModel

/// One thing `verify` found wrong, with everything it affects.
public struct IntegrityProblem: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable {
        case missing
        case corrupt
        case unreadable
        /// A version's rows no longer rebuild its stored manifest (the field is named).
        case manifestMismatch = "manifest_mismatch"
        /// A registration, evaluation, signature or dataset row no longer matches the document its
        /// ledger event committed to, was deleted, or has no event at all.
        case recordMismatch = "record_mismatch"
        /// A stored value mreg never writes (a malformed digest, date or document).
        case malformed
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
    /// Fact events whose documents were rebuilt from the rows and compared.
    public let recordsChecked: Int
    /// The ledger's newest event when the whole store was checked: keep its digest elsewhere and
    /// pass it to `--expect-head` later to prove nothing was cut off.
    public let head: (sequence: Int64, digest: Digest)?
    public let bytesChecked: Int64
    public let problems: [IntegrityProblem]
    /// Blobs that no version or stored dataset references (only for a whole-store check);
    /// harmless leftovers of interrupted registrations, reported for information.
    public let unreferencedBlobs: [Digest]
    /// With `--sample`: the sample, and how many of the blobs checked were re-hashed (the others
    /// were checked for presence and size only).
    public let sample: (sample: BlobSample, blobsRehashed: Int)?
    public var isIntact: Bool { problems.isEmpty }
}

extension Registry {
    /// Re-hashes every blob the named versions reference (all versions when `references` is
    /// empty), rebuilds each version's manifest and each recorded document from the database
    /// and compares digests, checks signatures and, for the whole store, the ledger's chain.
    ///
    /// `expectedHead` is a ledger head digest recorded earlier (what `history` prints): the chain
    /// alone cannot show that its newest events were cut off, but the head it once had must
    /// still be in it.
    ///
    /// With `sample`, only the blobs it selects are re-hashed; every other one is checked to be
    /// present with its recorded size, and everything else is checked as usual.
    public func verify(
        _ references: [String], expectedHead: Digest? = nil, sample: BlobSample? = nil, progress: (any ProgressDisplay)? = nil
    ) throws(RegistryError) -> VerifyReport {
        var ids = [VersionKey]()
        for reference in references { ids.append(try resolveID(try VersionRef.parse(reference))) }
        let report = try verify(ids: references.isEmpty ? nil : ids, expectedHead: expectedHead, sample: sample, progress: progress)
        observer?.verified(report)
        return report
    }

    /// `verify` of the versions with these keys, or of the whole store when `versions` is nil.
    func verify(
        ids versions: [VersionKey]?, expectedHead: Digest? = nil, sample: BlobSample? = nil, progress: (any ProgressDisplay)?
    ) throws(RegistryError) -> VerifyReport {
        let wholeStore = versions == nil
        var ids = versions ?? []
        if wholeStore { ids = try database { (db) throws(MetadataError) in try db.allVersionIDs() } }
        let blobReferences = try database { (db) throws(MetadataError) in try db.blobReferences(versionIDs: wholeStore ? nil : ids) }

        var owners = [Digest: [String]]()
        var expectedSizes = [Digest: Int64]()
        for reference in blobReferences.references {
            owners[reference.digest, default: []].append(reference.owner)
            if let size = reference.size { expectedSizes[reference.digest] = size }
        }
        var problems = blobReferences.malformed.map { owner in
            IntegrityProblem(kind: .malformed, digest: nil, detail: "\(owner.owner) has a malformed digest '\(owner.text)' in the database (changed outside mreg)", affected: [owner.owner])
        }
        let digests = owners.keys.sorted { (expectedSizes[$0] ?? 0) > (expectedSizes[$1] ?? 0) }
        let rehashed = sample.map { $0.select(digests.map { ($0, expectedSizes[$0] ?? 0) }) }
        let hashedBytes = digests.reduce(Int64(0)) { total, digest in total + (rehashed?.contains(digest) ?? true ? expectedSizes[digest] ?? 0 : 0) }
        let task = progress?.begin("verify", totalBytes: hashedBytes)
        let store = blobs
        let statuses = try Parallel.map(digests) { (digest) throws(RegistryError) -> (Digest, BlobStatus) in
            // Outside the sample: present, with its size (one stat or HEAD), not re-hashed.
            if let rehashed, !rehashed.contains(digest) {
                return (digest, store.storedSize(of: digest).map { .intact(size: $0) } ?? .missing)
            }
            let status = store.verify(digest, progress: task)
            // A store that cannot be reached says nothing about the blob: fail as unavailable.
            if case .unavailable(let error) = status { throw RegistryError(error) }
            return (digest, status)
        }
        task?.finish()

        var bytes: Int64 = 0
        for (digest, status) in statuses {
            let affected = owners[digest, default: []].sorted()
            switch status {
            case .intact(let size):
                if rehashed?.contains(digest) ?? true { bytes += size }
                if let expected = expectedSizes[digest], expected != size {
                    problems.append(IntegrityProblem(kind: .corrupt, digest: digest, detail: "blob \(digest) has \(size) bytes, the database records \(expected)", affected: affected))
                }
            case .missing:
                let moved = (blobs as? any LocalBlobStoring)?.quarantinedCopies(of: digest).last.map {
                    ": it was found corrupt and moved aside to '\($0)'; registering the original file again stores it afresh"
                } ?? ""
                problems.append(IntegrityProblem(kind: .missing, digest: digest, detail: "blob \(digest) is missing\(moved)", affected: affected))
            case .corrupt(let actual, let movedTo):
                let moved = movedTo.map { "; moved aside to '\($0)', so registering the original file again stores it afresh" } ?? ""
                problems.append(IntegrityProblem(kind: .corrupt, digest: digest, detail: "blob \(digest) is corrupt: its bytes hash to \(actual)\(moved)", affected: affected))
            case .unreadable(let reason):
                problems.append(IntegrityProblem(kind: .unreadable, digest: digest, detail: "blob \(digest) cannot be read: \(reason)", affected: affected))
            case .unavailable(let error):
                throw RegistryError(error)
            }
        }
        // The ledger, read once for a whole-store check: its chain, and each version's fact events.
        var eventsChecked = 0
        var factEvents = [StoredEvent]()
        if wholeStore {
            let events = try database { (db) throws(MetadataError) in try db.storedEvents() }
            let ledger = Self.verifyChain(events, expectedHead: expectedHead)
            eventsChecked = ledger.checked
            if let problem = ledger.problem { problems.append(problem) }
            factEvents = events.filter { $0.event?.record != nil }
        }
        let eventsByVersion = Dictionary(grouping: factEvents.filter { $0.versionID != nil }, by: { $0.versionID! })
        var recordsChecked = 0
        func check(_ stored: StoredEvent, record: VersionRecord?) throws(RegistryError) {
            recordsChecked += 1
            guard let mismatch = try factMismatch(stored, record: record) else { return }
            problems.append(IntegrityProblem(
                kind: .recordMismatch, digest: stored.event?.record, detail: mismatch + " (the database was changed outside mreg)",
                affected: [stored.event?.to?.reference ?? "ledger event #\(stored.sequence)"]))
        }
        var signaturesChecked = 0
        for id in ids {
            let record: VersionRecord
            do {
                guard let found = try metadata.record(id: id) else { continue }
                record = found
            } catch {
                problems.append(IntegrityProblem(kind: .malformed, digest: nil, detail: "version \(id): \(RegistryError(error).message)", affected: ["version \(id)"]))
                continue
            }
            if let problem = try manifestProblem(record) { problems.append(problem) }
            let checks = try signatureChecks(of: record)
            signaturesChecked += checks.count
            problems += Self.signatureProblems(checks, of: record)
            // The version's registration, evaluations, signatures, annotations and drift reports, with the
            // record in hand (a registration is rebuilt from it without reading it again).
            let facts = wholeStore ? eventsByVersion[id] ?? [] : try database { (db) throws(MetadataError) in try db.factEvents(versionID: id, driftReports: true) }
            for stored in facts { try check(stored, record: record) }
        }
        // Dataset events belong to no version; any other left over names a version not checked above.
        let checked = Set(ids)
        for stored in factEvents where !(stored.versionID.map(checked.contains) ?? false) { try check(stored, record: nil) }
        for fact in try database({ (db) throws(MetadataError) in try db.unrecordedFacts(versionIDs: wholeStore ? nil : ids) }) {
            let subject = Self.subject(fact)
            problems.append(IntegrityProblem(
                kind: .recordMismatch, digest: nil, detail: "\(subject) is recorded by no ledger event (it was added outside mreg, or its event was removed)",
                affected: [fact.version?.reference ?? subject]))
        }
        let head = wholeStore ? try database { (db) throws(MetadataError) in try db.ledgerHead() } : nil

        var unreferenced = [Digest]()
        if wholeStore {
            let listing = try storeBlob { () throws(ContentStoreError) in try blobs.listBlobs() }
            unreferenced = listing.blobs.filter { owners[$0] == nil }
            for name in listing.strayNames {
                problems.append(IntegrityProblem(kind: .strayFile, digest: nil, detail: "'\(blobs.location)/\(name)' is not a blob (its name is not a digest)", affected: []))
            }
        }
        return VerifyReport(
            versionsChecked: ids.count, blobsChecked: digests.count, signaturesChecked: signaturesChecked, eventsChecked: eventsChecked,
            recordsChecked: recordsChecked, head: head, bytesChecked: bytes, problems: problems, unreferencedBlobs: unreferenced,
            sample: sample.map { ($0, rehashed?.count ?? 0) })
    }

    /// Rebuilds a version's manifest from every row that came from it and compares its digest
    /// with the recorded one (the blob pass has already re-hashed the stored manifest).
    private func manifestProblem(_ record: VersionRecord) throws(RegistryError) -> IntegrityProblem? {
        guard let fields = try manifestMismatch(record) else { return nil }
        let name = "\(record.model)@\(record.number)"
        let what = fields.isEmpty ? "" : " in \(fields.joined(separator: ", "))"
        return IntegrityProblem(
            kind: .manifestMismatch, digest: record.manifestDigest,
            detail: "the database's record of \(name) does not match its manifest\(what) (the database was changed outside mreg)", affected: [name])
    }
}

extension Registry {
    /// What an unrecorded row is, as a report names it.
    static func subject(_ fact: UnrecordedFact) -> String {
        let version = fact.version?.reference ?? "?"
        return switch fact.kind {
        case .registration: "the registration of \(version)"
        case .evaluation(let id): "evaluation #\(id) of \(version)"
        case .signature(let key, _): "the signature of \(version) by key '\(key)'"
        case .annotation(let sequence): "the annotation #\(sequence) of \(version)"
        case .driftReport(let sequence): "drift report #\(sequence) of \(version)"
        case .datasetContents(let digest): "the contents of dataset \(digest)"
        case .datasetName(let name, let digest): "the name '\(name)' of dataset \(digest)"
        }
    }

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
    static func verifyChain(_ stored: [StoredEvent], expectedHead: Digest? = nil) -> (checked: Int, problem: IntegrityProblem?) {
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
            if FileHashing.digest(of: event.canonicalBytes()).description != row.digest {
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
