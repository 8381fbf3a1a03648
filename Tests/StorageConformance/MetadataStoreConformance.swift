import ContentHashing
import Foundation
import RegistryModel
import RegistryStorage
import Synchronization
import Testing

/// What every metadata store must guarantee, written once against the storage protocols and run
/// on each implementation (SQLite, PostgreSQL). Each writer opens its own store, so on its own
/// connection, as a process on another machine would; the CLI suites add real processes and
/// `kill -9` inside each write window on both engines.
public enum MetadataStoreConformance {
    /// Opens a new store (a new connection) on the database under test.
    public typealias Opener = @Sendable () throws -> any SharedMetadataStoring

    /// Seals events as RegistryKit does: every field, SHA-256 of the canonical bytes.
    public static let seal: EventSealer = { draft, place in
        let event = LedgerEvent(draft, at: place)
        return RecordedEvent(event: event, digest: FileHashing.digest(of: event.canonicalBytes()))
    }

    static let actor = Registrant(user: "conformance", host: "test")

    /// A version of `model` whose manifest (and its digest) is told apart by the model and `seed`.
    public static func newVersion(_ model: String, seed: Int) throws -> NewVersion {
        let bytes = Array(model.utf8) + withUnsafeBytes(of: UInt64(seed).bigEndian) { Array($0) }
        let file = FileEntry(path: "model.bin", digest: FileHashing.digest(of: bytes + [0]), size: 10, executable: false)
        let manifest = Manifest(
            model: try ModelName(model), files: [file], params: ["seed": .number(Double(seed))], datasets: [],
            metrics: [try Metric(key: "holdout.auc", value: 0.5 + Double(seed % 50) / 100)], labels: [:], description: nil, parent: nil,
            git: nil)
        return NewVersion(
            manifest: manifest, manifestDigest: FileHashing.digest(of: bytes + [1]), gitNote: nil, createdAt: Date(), registrant: actor,
            datasetListings: [:], registrationRecord: FileHashing.digest(of: bytes + [2]), datasetRecords: [:])
    }

    /// Runs `body(index)` on `count` threads at once, each on its own store, and returns the results by index.
    static func race<T: Sendable>(
        _ count: Int, open: Opener, _ body: @escaping @Sendable (Int, any SharedMetadataStoring) throws -> T
    ) throws -> [T] {
        let stores = try (0..<count).map { _ in try open() }
        let results = Mutex<[Int: Result<T, any Error>]>([:])
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<count {
            let store = stores[index]
            done.enter()
            Thread {
                start.wait()
                let result = Result { try body(index, store) }
                results.withLock { $0[index] = result }
                done.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
        return try results.withLock { collected in try (0..<count).map { try collected[$0]!.get() } }
    }

    /// 32 writers registering different manifests of one model get the numbers 1…32, each once;
    /// 8 writers registering one manifest make one version and all get it back.
    public static func numbersAreGapFreeUnderConcurrentWriters(open: Opener) throws {
        let outcomes = try race(32, open: open) { index, store in try store.insertVersion(try newVersion("churn", seed: index), seal: seal) }
        let numbers = outcomes.compactMap { outcome -> Int? in
            if case .created(let pointer) = outcome { return pointer.number }
            return nil
        }
        #expect(numbers.sorted() == Array(1...32), "every registration created a version, numbered without gaps")

        let identical = try race(8, open: open) { _, store in try store.insertVersion(try newVersion("fraud", seed: 7), seal: seal) }
        let created = identical.filter { if case .created = $0 { true } else { false } }
        let pointers = Set(identical.map { outcome in
            switch outcome {
            case .created(let pointer), .existing(let pointer): pointer
            }
        })
        #expect(created.count == 1 && pointers.count == 1 && pointers.first?.number == 1, "one manifest is one version")
        let store = try open()
        #expect(try store.versions(of: try ModelName("churn"), limit: nil).total == 32)
        #expect(try store.versions(of: try ModelName("fraud"), limit: nil).total == 1)
        // The counts `list` prints are read as each model's latest number, which these races keep equal.
        let counts = try store.models().map { "\($0.name) \($0.versionCount) \($0.latestVersion ?? 0)" }
        #expect(counts == ["churn 32 32", "fraud 1 1"], "\(counts)")
        try expectChainIntact(store)
    }

    /// An alias moves only if it still points where the caller looked; otherwise nothing is written.
    public static func aliasMovesAreCompareAndSwap(open: Opener) throws {
        let store = try open()
        let model = try ModelName("churn")
        let production = try AliasName("production")
        let ids = try registered(model, count: 3, in: store)
        func promote(_ target: VersionKey, expecting holder: VersionKey?) throws -> AppendOutcome {
            try store.appendEvent(draft(model, production, to: target, expecting: holder), seal: seal)
        }
        guard case .appended = try promote(ids[0], expecting: nil) else {
            Issue.record("the first promotion of a free alias must be appended")
            return
        }
        let head = try store.ledgerHead()
        #expect(try promote(ids[1], expecting: nil) == .holderChanged(current: ids[0]), "the alias is no longer free")
        #expect(try store.ledgerHead()?.sequence == head?.sequence, "a refused move writes no event")
        guard case .appended = try promote(ids[1], expecting: ids[0]) else {
            Issue.record("a move from the holder the caller saw must be appended")
            return
        }
        #expect(try promote(ids[1], expecting: ids[1]) == .unchanged)
        #expect(try promote(ids[2], expecting: ids[0]) == .holderChanged(current: ids[1]), "a stale holder is refused")
        #expect(try store.holder(model: model, alias: production) == ids[1])
        // A token is found with the ledger's head, read in the same statement (a server's
        // remembered answers are checked against it).
        let secret = FileHashing.digest(of: Array("reader".utf8))
        let reader = AccessToken(
            name: "reader", role: .reader, models: try NamePattern("*", kind: "model pattern"), aliases: try NamePattern("*", kind: "alias pattern"),
            createdAt: Date(timeIntervalSince1970: 1_800_000_000), createdBy: actor, expiresAt: nil, revokedAt: nil)
        #expect(try store.insertToken(reader, secretDigest: secret))
        let found = try #require(try store.token(secretDigest: secret))
        let headNow = try store.ledgerHead()?.sequence
        #expect(found.token == reader && found.ledgerHead == headNow && found.ledgerHead > 0)
        _ = try promote(ids[2], expecting: ids[1])
        #expect(try store.token(secretDigest: secret)?.ledgerHead == found.ledgerHead + 1)
        try expectChainIntact(store)
    }

    /// 16 writers promoting in a race, each retrying until its move lands: every move is one
    /// event, from the holder its writer saw (no move lands on a holder it did not look at),
    /// each from where the previous one left the alias, on one unforked chain.
    public static func racingPromotionsExtendOneChain(open: Opener) throws {
        let setup = try open()
        let model = try ModelName("churn")
        let production = try AliasName("production")
        let ids = try registered(model, count: 3, in: setup)
        let numbers = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0 + 1) })
        let movesPerWriter = 3
        // Per landed move: the number of the holder its writer saw, and the one its event moved from.
        let landed = try race(16, open: open) { index, store in
            var moves = [(seen: Int?, from: Int?)]()
            for move in 0..<movesPerWriter {
                while true {
                    let current = try store.holder(model: model, alias: production)
                    let wanted = ids[(index + move) % ids.count]
                    let target = wanted == current ? ids[(index + move + 1) % ids.count] : wanted
                    if case .appended(let recorded) = try store.appendEvent(draft(model, production, to: target, expecting: current), seal: seal) {
                        moves.append((current.flatMap { numbers[$0] }, recorded.event.from?.number))
                        break
                    }
                }
            }
            return moves
        }.joined()
        #expect(landed.allSatisfy { $0.seen == $0.from }, "every move started from the holder its writer decided against")
        let moves = try everyStoredEvent(setup).compactMap(\.event).filter { $0.action == .promote }
        #expect(moves.count == 16 * movesPerWriter, "every promotion landed once")
        for (earlier, later) in zip(moves, moves.dropFirst()) {
            #expect(later.from == earlier.to, "move \(later.sequence) starts where move \(earlier.sequence) left the alias")
        }
        let holder = try setup.holder(model: model, alias: production)
        #expect(holder == (try moves.last.flatMap { try setup.versionID(model: model, number: $0.to?.number) }))
        try expectChainIntact(setup)
    }

    /// `versionFacts` (one statement on a database server) answers what the single reads do, for
    /// a version named by key, by number and as the latest, and nil for one that does not exist.
    public static func versionFactsAreTheSingleReads(open: Opener) throws {
        let store = try open()
        let model = try ModelName("facts")
        let keys = try registered(model, count: 3, in: store)
        _ = try store.appendEvent(draft(model, try AliasName("production"), to: keys[1], expecting: nil), seal: seal)
        _ = try store.appendEvent(draft(model, try AliasName("staging"), to: keys[2], expecting: nil), seal: seal)
        let deprecation = EventDraft(
            model: model, alias: nil, action: .deprecate, toVersionID: keys[1], at: Date(), actor: actor, reason: "too slow", forced: false, gates: "",
            expectedHolderID: nil)
        _ = try store.appendEvent(deprecation, seal: seal)
        /// The parts of a stored event that say which it is and what it holds.
        func described(_ events: [StoredEvent]) -> [String] {
            events.map { "\($0.sequence) \($0.digest) \($0.versionID.map(\.description) ?? "-") \($0.problem ?? "") \($0.event.map { "\($0)" } ?? "")" }
        }
        let selections: [(VersionSelection, VersionKey)] = [
            (.key(keys[0]), keys[0]), (.number(model, 2), keys[1]), (.number(model, nil), keys[2]), (.alias(model, try AliasName("production")), keys[1]),
        ]
        for (selection, key) in selections {
            let facts = try #require(try store.versionFacts(selection), "\(selection)")
            #expect(facts.record == (try store.record(id: key)))
            #expect(described(facts.factEvents) == described(try store.factEvents(versionID: key, driftReports: false)))
            #expect(!facts.factEvents.isEmpty)
            #expect(facts.aliases == (try store.aliases(of: model)))
            #expect(facts.aliases.count == 2)
            #expect(facts.status == (try store.status(versionID: key)))
            #expect(facts.signatures == (try store.signatures(versionID: key)))
            #expect(facts.evaluations == (try store.evaluations(versionID: key)))
            #expect(facts.annotations.map(\.sequence) == (try store.annotations(versionID: key)).map(\.sequence))
        }
        #expect(try store.versionFacts(.number(model, 2))?.status.deprecation == "too slow")
        #expect(try store.versionFacts(.number(model, 4)) == nil)
        #expect(try store.versionFacts(.number(try ModelName("absent"), nil)) == nil)
        // An alias never set, one of a missing model, and one demoted name no version.
        #expect(try store.versionFacts(.alias(model, try AliasName("canary"))) == nil)
        #expect(try store.versionFacts(.alias(try ModelName("absent"), try AliasName("production"))) == nil)
        let demotion = EventDraft(
            model: model, alias: try AliasName("staging"), action: .demote, toVersionID: nil, at: Date(), actor: actor, reason: "done", forced: false,
            gates: "", expectedHolderID: keys[2])
        _ = try store.appendEvent(demotion, seal: seal)
        #expect(try store.versionFacts(.alias(model, try AliasName("staging"))) == nil)
    }

    /// Web sessions: found by their secret's digest with their token (read again each time, so a
    /// revoked token shows as revoked), ended by deleting, and swept once expired by the next sign-in.
    public static func webSessionsStandForTheirToken(open: Opener) throws {
        let store = try open()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let token = AccessToken(
            name: "alice", role: .promoter, models: try NamePattern("churn*", kind: "model pattern"), aliases: try NamePattern("*", kind: "alias pattern"),
            createdAt: now, createdBy: actor, expiresAt: nil, revokedAt: nil)
        #expect(try store.insertToken(token, secretDigest: FileHashing.digest(of: Array("token".utf8))))
        #expect(try store.token(secretDigest: FileHashing.digest(of: Array("token".utf8)))?.ledgerHead == 0, "no event yet")
        func secret(_ text: String) -> Digest { FileHashing.digest(of: Array(text.utf8)) }
        let old = WebSession(tokenName: "alice", formKey: "k-old", createdAt: now, expiresAt: now.addingTimeInterval(60))
        try store.insertWebSession(old, secretDigest: secret("old"))
        let found = try #require(try store.webSession(secretDigest: secret("old")))
        #expect(found.session == old && found.token == token)
        #expect(try store.webSession(secretDigest: secret("other")) == nil)
        // A sign-in after the old session expired sweeps it; the new one stands.
        let new = WebSession(tokenName: "alice", formKey: "k-new", createdAt: now.addingTimeInterval(120), expiresAt: now.addingTimeInterval(3600))
        try store.insertWebSession(new, secretDigest: secret("new"))
        #expect(try store.webSession(secretDigest: secret("old")) == nil)
        #expect(try store.webSession(secretDigest: secret("new"))?.session == new)
        // The token's state is read with the session.
        _ = try store.revokeToken(named: "alice", at: now.addingTimeInterval(130))
        #expect(try store.webSession(secretDigest: secret("new"))?.token.revokedAt != nil)
        try store.deleteWebSession(secretDigest: secret("new"))
        #expect(try store.webSession(secretDigest: secret("new")) == nil)
        try store.deleteWebSession(secretDigest: secret("new"))
    }

    /// A model's versions page by number from where the last page ended, newest first.
    public static func versionsPageFromWhereTheLastPageEnded(open: Opener) throws {
        let store = try open()
        let model = try ModelName("paged")
        _ = try registered(model, count: 7, in: store)
        #expect(try store.versions(of: model, limit: 3, after: nil).versions.map(\.number) == [7, 6, 5])
        let page = try store.versions(of: model, limit: 3, after: 5)
        #expect(page.versions.map(\.number) == [4, 3, 2] && page.total == 7)
        #expect(page.versions.allSatisfy { $0.metrics.map(\.key) == ["holdout.auc"] })
        #expect(try store.versions(of: model, limit: 3, after: 2).versions.map(\.number) == [1])
        #expect(try store.versions(of: model, limit: nil, after: 1).versions.isEmpty)

        // A metric few versions meet is searched from the model's entries of it; one most meet,
        // version by version: the same answers either way.
        let scored = try ModelName("scored")
        for seed in 1...25 { _ = try store.insertVersion(try newVersion(scored.description, seed: seed), seal: seal) }  // auc 0.51 … 0.75
        func kept(_ comparison: VersionFilter.MetricCondition.Comparison, _ value: Double, limit: Int?) throws -> (numbers: [Int], total: Int) {
            var filter = VersionFilter()
            filter.metrics = [VersionFilter.MetricCondition(dataset: "holdout", name: "auc", comparison: comparison, value: value)]
            let listed = try store.versions(of: scored, matching: filter, limit: limit, after: nil)
            return (listed.versions.map(\.number), listed.total)
        }
        #expect(try kept(.atLeast, 0.74, limit: 5) == ([25, 24], 2))
        #expect(try kept(.equal, 0.6, limit: nil) == ([10], 1))
        #expect(try kept(.atLeast, 0.6, limit: 5) == ([25, 24, 23, 22, 21], 16))
        #expect(try kept(.atLeast, 0.9, limit: 5) == ([], 0))
    }

    /// `verify --all`'s walks, a small page at a time: the referenced blobs in digest order, each
    /// once though versions share it, with its recorded size (none for a document), exactly the
    /// digests `blobReferences` lists; and every version key once, in key order.
    public static func wholeStoreWalksVisitEachBlobAndVersionOnce(open: Opener) throws {
        let store = try open()
        for seed in 1...12 {
            // One file all twelve versions share, whose digest sorts first, and one of their own
            // just after it (so a page of files can fill with the shared one, and a walk that
            // ended its page elsewhere would skip these); a manifest and a record each.
            let shared = FileEntry(path: "shared.bin", digest: Digest(rawBytes: Array(repeating: 0, count: 31) + [1]), size: 100, executable: false)
            let own = FileEntry(
                path: "model.bin", digest: Digest(rawBytes: Array(repeating: 0, count: 30) + [1, UInt8(seed)]), size: Int64(200 + seed), executable: false)
            let version = try newVersion("walked", seed: seed)
            let manifest = Manifest(
                model: version.manifest.model, files: [own, shared], params: version.manifest.params, datasets: [], metrics: [], labels: [:],
                description: nil, parent: nil, git: nil)
            _ = try store.insertVersion(
                NewVersion(
                    manifest: manifest, manifestDigest: version.manifestDigest, gitNote: nil, createdAt: Date(), registrant: actor, datasetListings: [:],
                    registrationRecord: version.registrationRecord, datasetRecords: [:]),
                seal: seal)
        }
        let references = try store.blobReferences(versionIDs: nil).references
        // Pages of 2: the first page of files holds the shared digest twice, and the page ends there.
        for limit in [2, 5] {
            var walked = [(text: String, size: Int64?)]()
            while true {
                let page = try store.referencedBlobs(after: walked.last?.text, limit: limit)
                #expect(page.count <= limit)
                guard !page.isEmpty else { break }
                walked += page
            }
            #expect(walked.map(\.text) == walked.map(\.text).sorted(), "digest order across pages")
            #expect(Set(walked.map(\.text)).count == walked.count, "each digest once")
            #expect(Set(walked.map(\.text)) == Set(references.map(\.digest.description)))
            #expect(walked.count == 1 + 12 + 12 + 12, "the shared file, and each version's own file, manifest and record")
            for blob in walked {
                let size = references.first { $0.digest.description == blob.text }?.size
                #expect(blob.size == size, "\(blob.text): the recorded size, none for a document")
            }
        }
        let first = try #require(try store.referencedBlobs(after: nil, limit: 1).first)
        var keys = [VersionKey]()
        while true {
            let page = try store.versionIDs(after: keys.last, limit: 5)
            guard !page.isEmpty else { break }
            keys += page
        }
        #expect(keys.count == 12 && keys.map(\.storeValue) == keys.map(\.storeValue).sorted())
        #expect(Set(try (1...12).map { try store.versionID(model: try ModelName("walked"), number: $0) }) == Set(keys))
        // A page's records at once, each as read alone; a key with no version is absent.
        let absent = VersionKey(storeValue: keys.map(\.storeValue).max()! + 1000)
        let records = try store.records(ids: keys + [absent])
        #expect(records.count == 12 && records[absent] == nil)
        for key in keys { #expect(try records[key]?.get() == (try store.record(id: key)), "\(key)") }
        #expect(try store.signatures(versionIDs: keys).isEmpty)
        // A page's signatures at once: each version's own, by key name, as read alone.
        for (key, name, byte) in [(keys[3], "release", UInt8(1)), (keys[3], "audit", 2), (keys[7], "release", 3)] {
            let signature = StoredSignature(
                keyFingerprint: FileHashing.digest(of: [byte]), keyName: name, signature: [byte, byte], signedAt: Date(), signedBy: "conformance")
            #expect(try store.insertSignature(
                versionID: key, signature, actor: actor, record: FileHashing.digest(of: Array("signature \(byte)".utf8)), fence: nil, seal: seal))
        }
        let signed = try store.signatures(versionIDs: keys)
        #expect(Set(signed.keys) == [keys[3], keys[7]] && signed[keys[3]]?.map(\.keyName) == ["audit", "release"])
        for key in [keys[3], keys[7]] { #expect(signed[key] == (try store.signatures(versionID: key)), "\(key)") }
        // The store's listing is asked about a page of 1,000 at a time: more than one batch of the query.
        let stray = (0..<1201).map { FileHashing.digest(of: Array("stray \($0)".utf8)) }
        let referenced = try #require(Digest(parsing: first.text))
        #expect(Set(try store.unreferenced(stray + [referenced])) == Set(stray))
    }

    /// Drift reports: each stored under its `record_drift` event's number with that event, read
    /// back as written, a page at a time newest first, among the version's fact events but not
    /// among those `versionFacts` reads for `show`.
    public static func driftReportsPageNewestFirstWithTheirEvents(open: Opener) throws {
        let store = try open()
        let model = try ModelName("drifting")
        let keys = try registered(model, count: 2, in: store)
        func report(_ rows: Int64) -> DriftRecord {
            DriftRecord(
                against: "train", referenceDataset: FileHashing.digest(of: [1]), referenceFile: "train.csv", referenceRows: 1000, data: "day\(rows).csv",
                dataDigest: FileHashing.digest(of: Array("\(rows)".utf8)), rows: rows, flaggedColumns: Int(rows % 2),
                results: .object(["columns": .array([.object(["psi": .number(0.1 + Double(rows) / 1000), "p_value": .null])])]))
        }
        var sequences = [Int64]()
        for rows in 1...5 {
            let recorded = try store.insertDriftReport(
                versionID: keys[0], report(Int64(rows)), at: Date(), actor: actor, record: FileHashing.digest(of: [UInt8(rows)]), fence: nil,
                seal: seal)
            sequences.append(recorded.event.sequence)
            #expect(recorded.event.action == .recordDrift && recorded.event.to?.number == 1)
        }
        let first = try store.driftReports(versionID: keys[0], limit: 2, before: nil)
        #expect(first.map(\.sequence) == [sequences[4], sequences[3]])
        #expect(first[0].report == report(5) && first[0].versionID == keys[0])
        #expect(first[0].event?.event?.record == FileHashing.digest(of: [5]) && first[0].event?.link == .driftReport(sequence: sequences[4]))
        #expect(try store.driftReports(versionID: keys[0], limit: 10, before: sequences[3]).map(\.sequence) == Array(sequences[0...2].reversed()))
        #expect(try store.driftReports(versionID: keys[1], limit: 10, before: nil).isEmpty)
        #expect(try store.driftReport(sequence: sequences[2])?.report == report(3))
        #expect(try store.driftReport(sequence: 1) == nil, "event #1 is a registration")
        #expect(try store.factEvents(versionID: keys[0], driftReports: true).filter { $0.event?.action == .recordDrift }.count == 5)
        #expect(try store.factEvents(versionID: keys[0], driftReports: false).allSatisfy { $0.event?.action != .recordDrift }, "resolving a version reads none")
        #expect(try store.versionFacts(.key(keys[0]))?.factEvents.contains { $0.event?.action == .recordDrift } == false)
        #expect(try store.unrecordedFacts(versionIDs: nil).isEmpty)
        try expectChainIntact(store)
    }

    /// Deletion is a state checked in the event's own transaction: a version holding an alias is
    /// not deleted, a deleted one is not promoted, and a delete racing a promotion of the same
    /// version lands only one of the two. Deleted versions leave lists, counts, `latest` and the
    /// files gc must keep, but not the manifests.
    public static func deletionIsCheckedInTheEventsTransaction(open: Opener) throws {
        let store = try open()
        let model = try ModelName("pruned")
        let production = try AliasName("production")
        let ids = try registered(model, count: 3, in: store)
        func change(_ action: LedgerEvent.Action, _ id: VersionKey, _ requirement: EventRequirement) throws -> AppendOutcome {
            try store.appendEvent(
                EventDraft(
                    model: model, alias: nil, action: action, toVersionID: id, at: Date(), actor: actor, reason: "pruning", forced: false, gates: "[]",
                    expectedHolderID: nil, requirement: requirement),
                seal: seal)
        }
        func promote(_ id: VersionKey, expecting holder: VersionKey?) throws -> AppendOutcome {
            try store.appendEvent(
                EventDraft(
                    model: model, alias: production, action: .promote, toVersionID: id, at: Date(), actor: actor, reason: nil, forced: false,
                    gates: "[]", expectedHolderID: .some(holder), requirement: .live),
                seal: seal)
        }
        guard case .appended = try promote(ids[1], expecting: nil) else {
            Issue.record("the first promotion must land")
            return
        }
        let head = try store.ledgerHead()?.sequence
        #expect(try change(.delete, ids[1], .deletable) == .versionHoldsAliases([production]))
        #expect(try change(.undelete, ids[2], .deleted) == .unchanged, "a live version is not undeleted")
        #expect(try store.ledgerHead()?.sequence == head, "refusals write nothing")

        guard case .appended(let deleted) = try change(.delete, ids[2], .deletable) else {
            Issue.record("deleting a version that holds no alias must land")
            return
        }
        let deletion = try store.status(versionID: ids[2]).deletion
        #expect(deletion?.reason == "pruning" && deletion?.sequence == deleted.event.sequence)
        #expect(abs((deletion?.at ?? .distantPast).timeIntervalSince(deleted.event.at)) < 0.001, "stored to the millisecond")
        #expect(try change(.delete, ids[2], .deletable) == .unchanged)
        #expect(try promote(ids[2], expecting: ids[1]) == .versionDeleted)
        #expect(try store.versions(of: model, limit: nil, after: nil, deleted: false).versions.map(\.number) == [2, 1])
        #expect(try store.versions(of: model, limit: nil, after: nil, deleted: false).total == 2)
        #expect(try store.versions(of: model, limit: nil, after: nil, deleted: true).versions.map(\.deleted) == [true, false, false])
        #expect(try store.versionID(model: model, number: nil) == ids[1], "latest is the newest version not deleted")
        #expect(try store.models().first { $0.name == model }.map { [$0.versionCount, $0.latestVersion ?? 0] } == [2, 2])
        let kept = try store.blobReferences(versionIDs: nil).references.map(\.digest)
        let third = try #require(try store.record(id: ids[2]))
        #expect(!kept.contains(third.files[0].digest) && kept.contains(third.manifestDigest), "its files may go, its manifest stays")
        guard case .appended = try change(.undelete, ids[2], .deleted) else {
            Issue.record("undeleting a deleted version must land")
            return
        }
        #expect(try store.status(versionID: ids[2]).deletion == nil)
        #expect(try store.versions(of: model, limit: nil, after: nil, deleted: false).total == 3)

        // A delete and a promotion of the same version, racing: exactly one lands.
        let more = try registered(model, count: 11, in: store).suffix(8)
        for id in more {
            let holder = try store.holder(model: model, alias: production)
            let outcomes = try race(2, open: open) { index, racer -> AppendOutcome in
                index == 0
                    ? try racer.appendEvent(
                        EventDraft(
                            model: model, alias: production, action: .promote, toVersionID: id, at: Date(), actor: actor, reason: nil, forced: false,
                            gates: "[]", expectedHolderID: .some(holder), requirement: .live),
                        seal: seal)
                    : try racer.appendEvent(
                        EventDraft(
                            model: model, alias: nil, action: .delete, toVersionID: id, at: Date(), actor: actor, reason: "race", forced: false,
                            gates: "[]", expectedHolderID: nil, requirement: .deletable),
                        seal: seal)
            }
            let promoted = try store.holder(model: model, alias: production) == id
            let isDeleted = try store.status(versionID: id).deletion != nil
            #expect(promoted != isDeleted, "one of the two lands: \(outcomes)")
            #expect(promoted ? outcomes[1] == .versionHoldsAliases([production]) : outcomes[0] == .versionDeleted)
        }
        try expectChainIntact(store)
    }

    /// gc's collection log fences writers: a write whose blob gc began collecting after the
    /// writer's fence is refused; a collection is recorded only for a blob nothing references;
    /// withdrawn and stopped collections behave. Then writers storing and referencing blobs race
    /// a collector on their own connections: every blob a committed version references is still
    /// stored at the end (the store is simulated: this is the metadata side of the protocol).
    public static func collectionLogFencesWriters(open: Opener) throws {
        let store = try open()
        let first = try newVersion("fenced", seed: 1)
        let file = first.manifest.files[0].digest
        let before = try store.collectionFence()
        #expect(try store.beginCollection([file], at: Date()) == [file])
        #expect(try store.collectionFence() == before, "a collection not finished holds the fence below it")
        #expect(throws: MetadataError.collected([file])) { try store.insertVersion(fenced(first, position: before), seal: seal) }
        try store.endCollection([file], at: Date(), removed: true)
        let after = try store.collectionFence()
        #expect(after > before)
        guard case .created = try store.insertVersion(fenced(first, position: after), seal: seal) else {
            Issue.record("a write fenced after the collection must land")
            return
        }
        #expect(try store.unreferenced([file]).isEmpty && store.beginCollection([file], at: Date()).isEmpty, "a referenced blob is not collected")

        let withdrawn = FileHashing.digest(of: Array("withdrawn".utf8))
        #expect(try store.beginCollection([withdrawn], at: Date()) == [withdrawn])
        try store.endCollection([withdrawn], at: Date(), removed: false)
        #expect(try store.claimStoppedCollections(startedBefore: Date().addingTimeInterval(60), at: Date(), limit: 10).isEmpty)
        #expect(try store.collectionFence() >= after)

        let stopped = FileHashing.digest(of: Array("stopped".utf8))
        #expect(try store.beginCollection([stopped], at: Date()) == [stopped])
        #expect(try store.claimStoppedCollections(startedBefore: Date().addingTimeInterval(-600), at: Date(), limit: 10).isEmpty, "too young: its gc may be running")
        let claim = Date().addingTimeInterval(120)
        #expect(try store.claimStoppedCollections(startedBefore: Date().addingTimeInterval(60), at: claim, limit: 10) == [stopped])
        #expect(try store.claimStoppedCollections(startedBefore: Date().addingTimeInterval(60), at: claim, limit: 10).isEmpty, "claimed once")
        try store.endCollection([stopped], at: Date(), removed: true)
        #expect(try store.malformedReference() == nil)

        // Writers against a collector: 8 versions, each referencing its own blob, stored once.
        let writers = 8
        let versions = try (0..<writers).map { try newVersion("raced", seed: 100 + $0) }
        let blobs = Mutex(Set(versions.map { $0.manifest.files[0].digest }))
        let finished = Mutex(0)
        let retries = Mutex(0)
        _ = try race(writers + 1, open: open) { index, racer in
            if index == writers {
                // The collector: every blob nothing references, recorded, removed, finished.
                while finished.withLock({ $0 }) < writers {
                    let candidates = try racer.unreferenced(blobs.withLock { Array($0) })
                    let begun = try racer.beginCollection(candidates, at: Date())
                    blobs.withLock { stored in for digest in begun { stored.remove(digest) } }
                    try racer.endCollection(begun, at: Date(), removed: true)
                }
                return
            }
            defer { finished.withLock { $0 += 1 } }
            let version = versions[index]
            let blob = version.manifest.files[0].digest
            while true {
                let fence = try racer.collectionFence()
                _ = blobs.withLock { $0.insert(blob) }  // stored (again) after the fence is read
                do {
                    _ = try racer.insertVersion(fenced(version, position: fence), seal: seal)
                    return
                } catch MetadataError.collected {
                    retries.withLock { $0 += 1 }
                }
            }
        }
        let stored = blobs.withLock { $0 }
        for version in versions {
            #expect(stored.contains(version.manifest.files[0].digest), "a committed version's blob was collected")
        }
        #expect(try store.versions(of: try ModelName("raced"), limit: nil).total == writers)
        try expectChainIntact(store)
    }

    /// `new` with a fence at `position` over every blob it references.
    /// Pruning the collection log keeps its newest entry and every unfinished one, and a write
    /// fenced before what was pruned is refused as collected (it runs again), while one fenced
    /// after lands.
    public static func prunedCollectionsRefuseOlderFences(open: Opener) throws {
        let store = try open()
        let old = try store.collectionFence()
        let blobs = (0..<3).map { FileHashing.digest(of: Array("pruned \($0)".utf8)) }
        let finished = Date().addingTimeInterval(-3600)
        #expect(try store.beginCollection(blobs, at: finished) == blobs)
        try store.endCollection(blobs, at: finished, removed: true)
        let unfinished = FileHashing.digest(of: Array("still collecting".utf8))
        #expect(try store.beginCollection([unfinished], at: Date()) == [unfinished])
        let fence = try store.collectionFence()
        #expect(try store.pruneCollections(finishedBefore: finished.addingTimeInterval(-1)) == 0, "younger than the cutoff")
        #expect(try store.pruneCollections(finishedBefore: Date()) == 3, "the three finished ones, below the unfinished")
        #expect(try store.collectionFence() == fence, "the fence keeps its place")
        try store.endCollection([unfinished], at: Date(), removed: true)
        #expect(try store.pruneCollections(finishedBefore: Date().addingTimeInterval(60)) == 0, "the newest entry stays")
        let version = try newVersion("pruned", seed: 1)
        let digests = Array(Set(fenced(version, position: old).fence!.digests)).sorted { $0.description < $1.description }
        #expect(throws: MetadataError.collected(digests)) { try store.insertVersion(fenced(version, position: old), seal: seal) }
        guard case .created = try store.insertVersion(fenced(version, position: try store.collectionFence()), seal: seal) else {
            Issue.record("a write fenced after the pruning must land")
            return
        }
    }

    static func fenced(_ new: NewVersion, position: Int64) -> NewVersion {
        NewVersion(
            manifest: new.manifest, manifestDigest: new.manifestDigest, gitNote: new.gitNote, createdAt: new.createdAt, registrant: new.registrant,
            datasetListings: new.datasetListings, registrationRecord: new.registrationRecord, datasetRecords: new.datasetRecords,
            fence: BlobFence(position: position, digests: new.manifest.files.map(\.digest) + [new.manifestDigest, new.registrationRecord]))
    }

    /// Every suite of this conformance, on fresh databases from `fresh` (one per suite).
    public static func all(fresh: () throws -> Opener) throws {
        try numbersAreGapFreeUnderConcurrentWriters(open: try fresh())
        try aliasMovesAreCompareAndSwap(open: try fresh())
        try racingPromotionsExtendOneChain(open: try fresh())
        try versionFactsAreTheSingleReads(open: try fresh())
        try webSessionsStandForTheirToken(open: try fresh())
        try versionsPageFromWhereTheLastPageEnded(open: try fresh())
        try driftReportsPageNewestFirstWithTheirEvents(open: try fresh())
        try deletionIsCheckedInTheEventsTransaction(open: try fresh())
        try collectionLogFencesWriters(open: try fresh())
        try wholeStoreWalksVisitEachBlobAndVersionOnce(open: try fresh())
        try prunedCollectionsRefuseOlderFences(open: try fresh())
        try digestPrefixesFindTheirVersions(open: try fresh())
        try windowsOfTimeFindTheirVersionsWhateverTheClocks(open: try fresh())
    }

    /// A window of time (`--since`, `--until`) keeps the versions registered within it, paged in
    /// number order from where the last page ended and counted exactly, though clocks disagree:
    /// versions 4 and 9 were registered by clocks far ahead of and behind the others'. With a
    /// metric condition too, the two are counted from the one fewer versions meet.
    public static func windowsOfTimeFindTheirVersionsWhateverTheClocks(open: Opener) throws {
        let store = try open()
        let model = try ModelName("clocked")
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func hour(_ hours: Double) -> Date { base.addingTimeInterval(hours * 3600) }
        var times = [Int: Date]()
        for number in 1...12 {
            times[number] = hour(number == 4 ? 100 : number == 9 ? -100 : Double(number))
            let version = try newVersion(model.value, seed: number)  // holdout.auc 0.5 + number / 100
            _ = try store.insertVersion(
                NewVersion(
                    manifest: version.manifest, manifestDigest: version.manifestDigest, gitNote: nil, createdAt: times[number]!,
                    registrant: version.registrant, datasetListings: [:], registrationRecord: version.registrationRecord, datasetRecords: [:]),
                seal: seal)
        }
        let windows: [(since: Date?, until: Date?)] = [
            (hour(2), hour(8)), (nil, hour(5.5)), (hour(6), nil), (hour(50), nil), (nil, hour(-100)), (nil, hour(-99)), (hour(200), nil),
        ]
        for window in windows {
            var filter = VersionFilter()
            filter.since = window.since
            filter.until = window.until
            let kept = (1...12).reversed().filter { number in
                window.since.map { times[number]! >= $0 } ?? true && window.until.map { times[number]! < $0 } ?? true
            }
            var paged = [Int]()
            while true {
                let page = try store.versions(of: model, matching: filter, limit: 2, after: paged.last)
                #expect(page.total == kept.count && page.totalIsExact, "\(window): \(page.total) counted")
                paged += page.versions.map(\.number)
                if page.versions.count < 2 { break }
            }
            #expect(paged == kept, "\(window)")
            filter.order = .numberAscending
            #expect(try store.versions(of: model, matching: filter, limit: 3, after: nil).versions.map(\.number) == Array(kept.reversed().prefix(3)))
            filter.order = .number
            filter.metrics = [VersionFilter.MetricCondition(dataset: "holdout", name: "auc", comparison: .atLeast, value: 0.555)]
            let both = try store.versions(of: model, matching: filter, limit: nil, after: nil)
            #expect(both.versions.map(\.number) == kept.filter { $0 >= 6 } && both.total == both.versions.count && both.totalIsExact, "\(window)")
        }
    }

    /// A manifest-digest prefix of any length, odd or even, names the versions whose digest
    /// starts with it, at most two, by number (PostgreSQL keeps digests as bytes, so a prefix is a
    /// range of digests there, as in SQLite).
    public static func digestPrefixesFindTheirVersions(open: Opener) throws {
        let store = try open()
        let model = try ModelName("churn")
        let keys = try registered(model, count: 24, in: store)
        let digests = try keys.map { try #require(try store.record(id: $0)).manifestDigest }
        let first = digests[0].hex
        for length in [1, 2, 3, 12, 13, 63, 64] {
            let prefix = String(first.prefix(length))
            let expected = zip(keys, digests).filter { $0.1.hex.hasPrefix(prefix) }.prefix(2).map(\.0)
            #expect(try store.versionIDs(model: model, digestPrefix: prefix) == Array(expected), "prefix \(prefix)")
        }
        // The first digest with its last digit changed: no version has it.
        let absent = String(first.dropLast()) + (first.last == "f" ? "e" : "f")
        #expect(!digests.map(\.hex).contains(absent))
        #expect(try store.versionIDs(model: model, digestPrefix: absent).isEmpty)
        #expect(try store.versionIDs(model: try ModelName("fraud"), digestPrefix: String(first.prefix(12))).isEmpty, "another model's")
    }

    // MARK: Helpers

    /// Registers `count` versions of `model` and returns their keys, oldest first.
    static func registered(_ model: ModelName, count: Int, in store: any SharedMetadataStoring) throws -> [VersionKey] {
        try (1...count).map { seed in
            _ = try store.insertVersion(try newVersion(model.description, seed: 1000 + seed), seal: seal)
            return try #require(try store.versionID(model: model, number: seed))
        }
    }

    static func draft(_ model: ModelName, _ alias: AliasName, to target: VersionKey, expecting holder: VersionKey?) -> EventDraft {
        EventDraft(
            model: model, alias: alias, action: .promote, toVersionID: target, at: Date(), actor: actor, reason: nil, forced: false, gates: "",
            expectedHolderID: .some(holder))
    }

    /// The whole ledger, read in pages of 7 (so that most tests cross page boundaries): each page
    /// starts after the last one's final event and none holds more than asked.
    public static func everyStoredEvent(_ store: any SharedMetadataStoring) throws -> [StoredEvent] {
        var events = [StoredEvent]()
        while true {
            let page = try store.storedEvents(after: events.last?.sequence ?? 0, limit: 7)
            #expect(page.count <= 7)
            guard !page.isEmpty else { return events }
            events += page
        }
    }

    /// The ledger as stored: sequence numbers 1…n, each event linked to the one before, every
    /// digest re-derived from the event's fields, and the head the last of them.
    public static func expectChainIntact(_ store: any SharedMetadataStoring) throws {
        let stored = try everyStoredEvent(store)
        #expect(stored.map(\.sequence) == Array(1...Int64(stored.count)), "sequence numbers without gaps")
        var previous: String?
        for row in stored {
            let event = try #require(row.event, "event \(row.sequence) rebuilds from its columns")
            #expect(event.previousDigest?.description == previous, "event \(row.sequence) links to the one before it")
            #expect(FileHashing.digest(of: event.canonicalBytes()).description == row.digest, "event \(row.sequence)'s digest re-derives")
            previous = row.digest
        }
        #expect(try store.ledgerHead()?.digest.description == previous)
    }
}
