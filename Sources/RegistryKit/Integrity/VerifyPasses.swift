import ContentHashing
import RegistryModel
import RegistryStorage

/// What `verify` has found so far, pass by pass.
struct VerifyTally {
    var problems = [IntegrityProblem]()
    var blobsChecked = 0
    var blobsRehashed = 0
    var bytesChecked: Int64 = 0
    var signaturesChecked = 0
    var recordsChecked = 0

    func report(versionsChecked: Int, eventsChecked: Int = 0, head: (sequence: Int64, digest: Digest)?, sample: BlobSample?, unreferenced: [Digest]) -> VerifyReport {
        VerifyReport(
            versionsChecked: versionsChecked, blobsChecked: blobsChecked, signaturesChecked: signaturesChecked, eventsChecked: eventsChecked,
            recordsChecked: recordsChecked, head: head, bytesChecked: bytesChecked, problems: problems, unreferencedBlobs: unreferenced,
            sample: sample.map { ($0, blobsRehashed) })
    }
}

/// A referenced blob to check: re-hashed, or (outside a sample) only found with its size.
struct BlobToCheck: Sendable {
    let digest: Digest
    /// The size the database records; nil for a document, whose size is not recorded.
    let size: Int64?
    let rehash: Bool
}

/// The ledger's hash chain checked event by event as pages of it are read: each digest is
/// re-derived and each link followed. The first break is the one reported: every later event
/// inherits it.
struct LedgerChainCheck {
    /// A head digest recorded earlier, which must still be in the chain (`--expect-head`).
    let expectedHead: Digest?
    private(set) var checked = 0
    private var expected: Int64 = 1
    private var previous: Digest?
    private var last: Int64 = 0
    private var sawExpectedHead = false
    private var problem: IntegrityProblem?

    init(expectedHead: Digest?) {
        self.expectedHead = expectedHead
    }

    mutating func check(_ row: StoredEvent) {
        checked += 1
        last = row.sequence
        if let expectedHead, row.digest == expectedHead.description { sawExpectedHead = true }
        guard problem == nil else { return }
        func broken(_ detail: String) {
            problem = IntegrityProblem(kind: .ledger, digest: nil, detail: detail + "; the history was changed outside mreg", affected: ["ledger event #\(row.sequence)"])
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

    /// The break found; when the head recorded earlier is gone, that instead: it says more
    /// (events were cut off, which the chain alone cannot show).
    func finish() -> IntegrityProblem? {
        if let expectedHead, !sawExpectedHead {
            return IntegrityProblem(
                kind: .ledger, digest: nil,
                detail: "the ledger no longer holds the event with digest \(expectedHead) (head #\(last) now): events at or after it were removed outside mreg, or the digest is from another registry",
                affected: ["ledger"])
        }
        return problem
    }
}

extension Registry {
    /// Rows per page of a whole-store walk: blobs, events or versions.
    static let verifyPage = 1000

    /// Every version key, a page at a time, oldest first.
    func forEachVersionPage(_ body: ([VersionKey]) throws(RegistryError) -> Void) throws(RegistryError) {
        var after: VersionKey?
        while true {
            let page = try database { (db) throws(MetadataError) in try db.versionIDs(after: after, limit: Self.verifyPage) }
            guard let last = page.last else { return }
            try body(page)
            after = last
        }
    }

    /// Every blob that live records reference, once each, a page at a time in digest order from
    /// `ringStart` (a digest's first 64 bits) round to just before it: a sample's byte budget is
    /// spent in ring order. Digest texts that are not digests (the database was changed outside
    /// mreg) are handed over apart.
    func forEachReferencedBlobPage(
        from ringStart: UInt64, _ body: (_ page: [(digest: Digest, size: Int64?)], _ malformed: [String]) throws(RegistryError) -> Void
    ) throws(RegistryError) {
        // The lowest digest with those 64 bits: the first pass reads past it, the second up to it
        // (a whole digest: PostgreSQL compares a cursor as a digest's 32 bytes).
        let hex = String(ringStart, radix: 16)
        let start = "sha256:" + String(repeating: "0", count: 16 - hex.count) + hex + String(repeating: "0", count: 48)
        for (first, end) in [(start, nil), (nil, start)] as [(String?, String?)] {
            var after = first
            while true {
                let page = try database { (db) throws(MetadataError) in try db.referencedBlobs(after: after, limit: Self.verifyPage) }
                guard let last = page.last else { break }
                // Compared as the database orders text: byte by byte.
                let within = end.map { end in page.filter { !end.utf8.lexicographicallyPrecedes($0.text.utf8) } } ?? page
                var blobs = [(digest: Digest, size: Int64?)]()
                var malformed = [String]()
                for row in within {
                    if let digest = Digest(parsing: row.text) { blobs.append((digest, row.size)) } else { malformed.append(row.text) }
                }
                try body(blobs, malformed)
                guard within.count == page.count else { break }
                after = last.text
            }
        }
    }
}
