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
        guard let versions else { return try verifyWholeStore(expectedHead: expectedHead, sample: sample, progress: progress) }
        var tally = VerifyTally()
        // The named versions: their references fit in memory, as the versions named on a command line do.
        let references = try database { (db) throws(MetadataError) in try db.blobReferences(versionIDs: versions) }
        tally.problems += Self.malformedProblems(references.malformed)
        var owners = [Digest: [String]]()
        var sizes = [Digest: Int64]()
        for reference in references.references {
            owners[reference.digest, default: []].append(reference.owner)
            if let size = reference.size { sizes[reference.digest] = size }
        }
        let rehashed = sample.map { $0.select(owners.keys.map { ($0, sizes[$0] ?? 0) }) }
        let blobs = owners.keys.map { BlobToCheck(digest: $0, size: sizes[$0], rehash: rehashed?.contains($0) ?? true) }
        let task = progress?.begin("verify", totalBytes: blobs.reduce(0) { $0 + ($1.rehash ? $1.size ?? 0 : 0) })
        try checkBlobs(blobs, progress: task, owners: { owners[$0, default: []] }, into: &tally)
        task?.finish()
        try checkVersions(versions, driftReports: true, into: &tally)
        try checkUnrecordedFacts(of: versions, into: &tally)
        return tally.report(versionsChecked: versions.count, head: nil, sample: sample, unreferenced: [])
    }

    /// The whole store, streamed: the referenced blobs in digest order a page at a time, the
    /// ledger a page at a time, every version a page at a time, and the store's own listing a
    /// page at a time for what nothing references. Memory holds a page, never the store.
    private func verifyWholeStore(
        expectedHead: Digest?, sample: BlobSample?, progress: (any ProgressDisplay)?
    ) throws(RegistryError) -> VerifyReport {
        var tally = VerifyTally()
        // A progress bar needs its total first: one walk of the references without the blobs.
        var total: Int64 = 0
        if progress != nil {
            var picker = sample.map(BlobSample.Picker.init)
            try forEachReferencedBlobPage(from: sample?.ringStart ?? 0) { page, _ in
                for blob in page where picker?.picks(blob.digest, size: blob.size ?? 0) ?? true { total += blob.size ?? 0 }
            }
        }
        let task = progress?.begin("verify", totalBytes: total)
        var picker = sample.map(BlobSample.Picker.init)
        var malformed = [String]()
        try forEachReferencedBlobPage(from: sample?.ringStart ?? 0) { (page, malformedTexts) throws(RegistryError) in
            malformed += malformedTexts
            let blobs = page.map { BlobToCheck(digest: $0.digest, size: $0.size, rehash: picker?.picks($0.digest, size: $0.size ?? 0) ?? true) }
            try checkBlobs(blobs, progress: task, owners: nil, into: &tally)
        }
        task?.finish()
        if !malformed.isEmpty {
            tally.problems.insert(contentsOf: Self.malformedProblems(try database { (db) throws(MetadataError) in try db.blobReferences(digestTexts: malformed) }.malformed), at: 0)
        }
        let eventsChecked = try checkLedger(expectedHead: expectedHead, into: &tally)
        var versionsChecked = 0
        try forEachVersionPage { (page) throws(RegistryError) in
            try checkVersions(page, driftReports: false, into: &tally)
            versionsChecked += page.count
        }
        try checkUnrecordedFacts(of: nil, into: &tally)
        let head = try database { (db) throws(MetadataError) in try db.ledgerHead() }
        let unreferenced = try unreferencedBlobs(into: &tally)
        return tally.report(versionsChecked: versionsChecked, eventsChecked: eventsChecked, head: head, sample: sample, unreferenced: unreferenced)
    }

    /// Re-hashes (or, outside a sample, sizes) one page of blobs on both cores, largest first,
    /// and records what is wrong with each, naming what it affects (`owners`; asked of the
    /// database for the few found wrong when nil).
    private func checkBlobs(
        _ blobs: [BlobToCheck], progress task: (any ProgressTask)?, owners known: ((Digest) -> [String])?, into tally: inout VerifyTally
    ) throws(RegistryError) {
        let store = self.blobs
        let statuses = try Parallel.map(blobs.sorted { ($0.size ?? 0) > ($1.size ?? 0) }) { (blob) throws(RegistryError) -> (BlobToCheck, BlobStatus) in
            // Outside the sample: present, with its size (one stat or HEAD), not re-hashed.
            guard blob.rehash else { return (blob, store.storedSize(of: blob.digest).map { .intact(size: $0) } ?? .missing) }
            let status = store.verify(blob.digest, progress: task)
            // A store that cannot be reached says nothing about the blob: fail as unavailable.
            if case .unavailable(let error) = status { throw RegistryError(error) }
            return (blob, status)
        }
        var found = [(digest: Digest, kind: IntegrityProblem.Kind, detail: String)]()
        for (blob, status) in statuses {
            let digest = blob.digest
            tally.blobsChecked += 1
            if blob.rehash { tally.blobsRehashed += 1 }
            switch status {
            case .intact(let size):
                if blob.rehash { tally.bytesChecked += size }
                if let expected = blob.size, expected != size {
                    found.append((digest, .corrupt, "blob \(digest) has \(size) bytes, the database records \(expected)"))
                }
            case .missing:
                let moved = (self.blobs as? any LocalBlobStoring)?.quarantinedCopies(of: digest).last.map {
                    ": it was found corrupt and moved aside to '\($0)'; registering the original file again stores it afresh"
                } ?? ""
                found.append((digest, .missing, "blob \(digest) is missing\(moved)"))
            case .corrupt(let actual, let movedTo):
                let moved = movedTo.map { "; moved aside to '\($0)', so registering the original file again stores it afresh" } ?? ""
                found.append((digest, .corrupt, "blob \(digest) is corrupt: its bytes hash to \(actual)\(moved)"))
            case .unreadable(let reason):
                found.append((digest, .unreadable, "blob \(digest) cannot be read: \(reason)"))
            case .unavailable(let error):
                throw RegistryError(error)
            }
        }
        guard !found.isEmpty else { return }
        let owners: (Digest) -> [String]
        if let known {
            owners = known
        } else {
            let references = try database { (db) throws(MetadataError) in try db.blobReferences(digestTexts: found.map(\.digest.description)) }.references
            let byDigest = Dictionary(grouping: references, by: \.digest)
            owners = { byDigest[$0, default: []].map(\.owner) }
        }
        for problem in found.sorted(by: { $0.digest < $1.digest }) {
            tally.problems.append(IntegrityProblem(kind: problem.kind, digest: problem.digest, detail: problem.detail, affected: owners(problem.digest).sorted()))
        }
    }

    /// Each version: its manifest rebuilt from its rows, its signatures, and its fact events'
    /// documents rebuilt from its rows with the record in hand (its drift reports' too when
    /// asked; a whole-store check meets those in the ledger instead, as a version may have
    /// thousands). The fact events of all of them are read at once.
    private func checkVersions(_ ids: [VersionKey], driftReports: Bool, into tally: inout VerifyTally) throws(RegistryError) {
        // A page's records, signatures and fact events are three reads, not three per version.
        let (records, signatures, facts) = try database { (db) throws(MetadataError) in
            (
                try db.records(ids: ids), try db.signatures(versionIDs: ids),
                Dictionary(grouping: try db.factEvents(versionIDs: ids, driftReports: driftReports), by: { $0.versionID })
            )
        }
        // The key files are read once a page, and not at all for a page without signatures.
        let keys = signatures.isEmpty ? [] : try trustedKeys()
        for id in ids {
            let record: VersionRecord
            switch records[id] {
            case nil: continue
            case .success(let found): record = found
            case .failure(let error):
                tally.problems.append(IntegrityProblem(kind: .malformed, digest: nil, detail: "version \(id): \(RegistryError(error).message)", affected: ["version \(id)"]))
                continue
            }
            if let problem = try manifestProblem(record) { tally.problems.append(problem) }
            let checks = Self.signatureChecks(of: record, stored: signatures[id] ?? [], keys: keys)
            tally.signaturesChecked += checks.count
            tally.problems += Self.signatureProblems(checks, of: record)
            for stored in facts[id, default: []] { try checkFact(stored, record: record, into: &tally) }
        }
    }

    /// Compares the document a fact event committed to with the one its rows rebuild.
    private func checkFact(_ stored: StoredEvent, record: VersionRecord?, into tally: inout VerifyTally) throws(RegistryError) {
        tally.recordsChecked += 1
        guard let mismatch = try factMismatch(stored, record: record) else { return }
        tally.problems.append(IntegrityProblem(
            kind: .recordMismatch, digest: stored.event?.record, detail: mismatch + " (the database was changed outside mreg)",
            affected: [stored.event?.to?.reference ?? "ledger event #\(stored.sequence)"]))
    }

    /// The ledger read a page at a time: its hash chain, and the fact events the version pass
    /// does not read (datasets', and versions' drift reports). Returns how many events it read.
    private func checkLedger(expectedHead: Digest?, into tally: inout VerifyTally) throws(RegistryError) -> Int {
        var chain = LedgerChainCheck(expectedHead: expectedHead)
        var after: Int64 = 0
        while true {
            let page = try database { (db) throws(MetadataError) in try db.storedEvents(after: after, limit: Self.verifyPage) }
            guard let last = page.last else { break }
            for stored in page {
                chain.check(stored)
                if let event = stored.event, event.record != nil, stored.versionID == nil || !event.action.recordsVersionFact || event.action == .recordDrift {
                    try checkFact(stored, record: nil, into: &tally)
                }
            }
            after = last.sequence
        }
        if let problem = chain.finish() { tally.problems.append(problem) }
        return chain.checked
    }

    /// Rows of facts that no ledger event recorded (of the given versions, or anywhere).
    private func checkUnrecordedFacts(of versions: [VersionKey]?, into tally: inout VerifyTally) throws(RegistryError) {
        for fact in try database({ (db) throws(MetadataError) in try db.unrecordedFacts(versionIDs: versions) }) {
            let subject = Self.subject(fact)
            tally.problems.append(IntegrityProblem(
                kind: .recordMismatch, digest: nil, detail: "\(subject) is recorded by no ledger event (it was added outside mreg, or its event was removed)",
                affected: [fact.version?.reference ?? subject]))
        }
        for entries in try database({ (db) throws(MetadataError) in try db.misfiledEntries(versionIDs: versions) }) {
            let reference = entries.version.reference
            tally.problems.append(IntegrityProblem(
                kind: .recordMismatch, digest: nil,
                detail: "\(reference)'s \(entries.kind.rawValue) entries name another model (changed outside mreg): `list` filters would miss it",
                affected: [reference]))
        }
    }

    /// The store's own listing, a page at a time: its blobs that nothing references (reported for
    /// information; gc removes them) and names in it that are not blobs (a problem).
    private func unreferencedBlobs(into tally: inout VerifyTally) throws(RegistryError) -> [Digest] {
        var unreferenced = [Digest]()
        var failure: RegistryError?
        try storeBlob { () throws(ContentStoreError) in
            try blobs.forEachBlobPage(size: Self.verifyPage) { page, strayNames in
                for name in strayNames {
                    tally.problems.append(IntegrityProblem(kind: .strayFile, digest: nil, detail: "'\(blobs.location)/\(name)' is not a blob (its name is not a digest)", affected: []))
                }
                do throws(RegistryError) {
                    unreferenced += try database { (db) throws(MetadataError) in try db.unreferenced(page) }
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        }
        if let failure { throw failure }
        return unreferenced.sorted()
    }

    /// Malformed digests found in reference columns, one problem per row holding one.
    static func malformedProblems(_ malformed: [(owner: String, text: String)]) -> [IntegrityProblem] {
        malformed.map { owner in
            IntegrityProblem(kind: .malformed, digest: nil, detail: "\(owner.owner) has a malformed digest '\(owner.text)' in the database (changed outside mreg)", affected: [owner.owner])
        }
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
}
