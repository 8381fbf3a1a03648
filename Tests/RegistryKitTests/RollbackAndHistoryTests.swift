import Foundation
import RegistryBackends
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

@Suite struct RollbackTests {
    func threeVersionsPromotedInTurn() throws -> Workspace {
        let space = try Workspace()
        for tag in ["1", "2", "3"] {
            try space.registerVersion("churn", tag)
            try space.promote("churn@\(tag)", to: "production", reason: "release \(tag)")
        }
        return space
    }

    @Test func rollbackWalksBackAndMarksWhatItLeaves() throws {
        let space = try threeVersionsPromotedInTurn()
        let first = try space.rollback("production", reason: "latency regression INC-142")
        #expect(first.from?.number == 3 && first.to.number == 2 && space.holder("production") == 2)
        #expect(first.event.event.action == .rollback && first.event.event.reason == "latency regression INC-142")
        let rolledBack = try space.registry.releaseState(of: try space.registry.resolve(reference: "churn@3"))
        #expect(rolledBack.rollback == "from production: latency regression INC-142")

        let second = try space.rollback("production", reason: "v2 too")
        #expect(second.from?.number == 2 && second.to.number == 1)
        #expect(try space.registry.releaseMarks(model: "churn").rolledBack == [2, 3])

        // A rolled-back version is refused by promote unless forced.
        let refused = try space.promote("churn@3", to: "production")
        #expect(refused.result == .refused && refused.report.failures.first?.detail.contains("rolled back") == true)

        // Promote a new version, then roll back: back to version 1, which held it before.
        try space.registerVersion("churn", "4")
        try space.promote("churn@4", to: "production")
        let third = try space.rollback("production", reason: "v4 broke")
        #expect(third.to.number == 1 && third.skipped.isEmpty)

        // Nothing earlier is left: refused, and nothing changes.
        let before = try registrySnapshot(space.root)
        let error = try expectFailure(.refused) { try space.rollback("production") }
        #expect(error.message.contains("no earlier version") && error.message.contains("nothing was changed"))
        #expect(try registrySnapshot(space.root) == before)
        #expect(space.holder("production") == 1)
        try assertRegistryConsistent(space.root)
    }

    @Test func rollbackPassesOverDeprecatedAndRolledBackHolders() throws {
        let space = try threeVersionsPromotedInTurn()
        try space.registerVersion("churn", "4")
        _ = try space.registry.deprecate(reference: "churn@2", reason: "leaky data", actor: releaser)
        let outcome = try space.rollback("production", reason: "v3 regressed")
        #expect(outcome.to.number == 1)
        #expect(outcome.skipped == ["churn@2 (deprecated: leaky data)"])

        // A version rolled back from another alias is marked for that alias only: not passed over.
        try space.promote("churn@4", to: "staging")
        try space.promote("churn@1", to: "staging")
        try space.rollback("staging", reason: "staging smoke test failed")   // marks 1 for staging, back to 4
        try space.promote("churn@4", to: "production")
        let back = try space.rollback("production", reason: "v4 regressed")
        #expect(back.to.number == 1 && back.skipped.isEmpty, "\(back.skipped)")
        // Now 4 is rolled back from production, 3 too, 2 deprecated: nothing is left.
        let passedOver = try expectFailure(.refused) { try space.rollback("production") }
        #expect(passedOver.message.contains("churn@4 (rolled back from production: v4 regressed)"))
        #expect(passedOver.message.contains("churn@2 (deprecated: leaky data)"))
        #expect(space.holder("production") == 1)
        try assertRegistryConsistent(space.root)
    }

    @Test func rollbackWithNoEarlierHolderFailsAndChangesNothing() throws {
        let space = try Workspace()
        try space.registerVersion("churn", "1")
        try expectFailure(.notFound) { try space.rollback("production") }
        try space.promote("churn@1", to: "production")
        let before = try registrySnapshot(space.root)
        try expectFailure(.refused) { try space.rollback("production") }
        try expectFailure(.notFound) { try space.rollback("production", model: "nope") }
        #expect(try registrySnapshot(space.root) == before)
    }

    @Test func rollbackToAnExplicitEarlierHolder() throws {
        let space = try threeVersionsPromotedInTurn()
        try space.registerVersion("churn", "4")
        let before = try registrySnapshot(space.root)
        let never = try expectFailure(.refused) { try space.rollback("production", to: "4") }
        #expect(never.message.contains("never held production"))
        try expectFailure(.refused) { try space.rollback("production", to: "churn@3") }
        #expect(try registrySnapshot(space.root) == before)

        let jump = try space.rollback("production", to: "1", reason: "back to the spring model")
        #expect(jump.to.number == 1 && jump.from?.number == 3)
        // Version 3 is now rolled back: an explicit return to it needs --force and a reason.
        try expectFailure(.refused) { try space.rollback("production", to: "churn@3") }
        try expectFailure(.usage) { try space.rollback("production", to: "churn@3", force: true) }
        #expect(try space.rollback("production", to: "churn@3", reason: "the fix was elsewhere", force: true).to.number == 3)
        try assertRegistryConsistent(space.root)
    }

    @Test func rollbackReHashesTheTargetBeforeMovingTheAlias() throws {
        let space = try threeVersionsPromotedInTurn()
        let target = try space.registry.resolve(reference: "churn@2")
        try alterStoredBlob(space.root, hex: target.files[0].digest.hex, to: "tampered weights")
        let before = try registrySnapshot(space.root)
        let error = try expectFailure(.integrity) { try space.rollback("production", reason: "regression") }
        #expect(error.message.contains("churn@2") && error.message.contains("was not moved"))
        if TestBackend.isOCI {
            #expect(try registrySnapshot(space.root) == before, "nothing changed")
        } else {
            // Nothing changed but the corrupt blob, which is moved aside so it is never served again.
            let moved = "blob \(target.files[0].digest.hex)"
            #expect(try registrySnapshot(space.root) == before.filter { $0 != moved })
            #expect(error.message.contains("moved aside"))
        }
        #expect(space.holder("production") == 3)
    }

    @Test func demoteClearsTheAliasAndRollbackBringsBackItsLastHolder() throws {
        let space = try threeVersionsPromotedInTurn()
        let (previous, event) = try space.registry.demote(model: "churn", alias: "production", reason: "incident", actor: releaser)
        #expect(previous?.number == 3 && event?.event.to == nil)
        let missing = try expectFailure(.notFound) { try space.registry.resolve(reference: "churn@production") }
        #expect(missing.message.contains("demoted"))
        #expect(try space.registry.demote(model: "churn", alias: "production", reason: nil, actor: releaser).event == nil)
        try expectFailure(.notFound) { try space.registry.demote(model: "churn", alias: "canary", reason: nil, actor: releaser) }
        let restored = try space.rollback("production", reason: "incident resolved")
        #expect(restored.from == nil && restored.to.number == 3)
        #expect(try space.registry.releaseMarks(model: "churn").rolledBack.isEmpty, "nothing was rolled back from")
    }

    /// Random promote / rollback / demote sequences against a model of the documented rules:
    /// after every step each alias points where the rules say, and the ledger stays intact.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomReleaseSequencesFollowTheRules(seed: UInt64) throws {
        let space = try Workspace()
        for tag in 1...5 { try space.registerVersion("churn", "\(tag)") }
        var random = SeededGenerator(seed: seed)
        var model = ReleaseModel()
        for _ in 0..<40 {
            let alias = ["production", "staging"][Int(random.next() % 2)]
            switch random.next() % 5 {
            case 0, 1, 2:
                let version = Int(random.next() % 5) + 1
                let outcome = try space.promote("churn@\(version)", to: alias)
                #expect(ReleaseModel.kind(outcome.result) == model.promote(version, alias), "promote \(version) to \(alias)")
            case 3:
                let expected = model.rollback(alias)
                do {
                    let outcome = try space.rollback(alias, reason: "seeded")
                    #expect(outcome.to.number == expected, "rollback \(alias)")
                } catch let error as RegistryError {
                    #expect(expected == nil, "rollback \(alias) failed: \(error)")
                }
            default:
                _ = try? space.registry.demote(model: "churn", alias: alias, reason: nil, actor: releaser)
                model.demote(alias)
            }
            for alias in ["production", "staging"] {
                #expect(space.holder(alias) == model.holders[alias] ?? nil, "\(alias) after seed \(seed)")
            }
        }
        try assertRegistryConsistent(space.root)
    }
}

/// The release rules, written plainly: the oracle for the random sequences.
struct ReleaseModel {
    var holders: [String: Int?] = [:]
    /// Per alias, the versions that moved onto it, oldest first.
    var arrivals: [String: [Int]] = [:]
    /// Per alias, the versions rolled back from it (a mark for that alias only).
    var rolledBack: [String: Set<Int>] = [:]

    static func kind(_ result: PromotionOutcome.Result) -> String {
        switch result {
        case .moved: "moved"
        case .unchanged: "unchanged"
        case .refused: "refused"
        case .dryRun: "dry run"
        }
    }

    mutating func promote(_ version: Int, _ alias: String) -> String {
        if holders[alias] == .some(version) { return "unchanged" }
        if rolledBack[alias, default: []].contains(version) { return "refused" }
        holders[alias] = version
        arrivals[alias, default: []].append(version)
        return "moved"
    }

    mutating func rollback(_ alias: String) -> Int? {
        guard holders[alias] != nil else { return nil }
        let current = holders[alias] ?? nil
        var seen = Set<Int>()
        for version in (arrivals[alias] ?? []).reversed() where version != current && seen.insert(version).inserted {
            guard !rolledBack[alias, default: []].contains(version) else { continue }
            if let current { rolledBack[alias, default: []].insert(current) }
            holders[alias] = version
            arrivals[alias, default: []].append(version)
            return version
        }
        return nil
    }

    mutating func demote(_ alias: String) {
        if holders[alias] != nil { holders[alias] = .some(nil) }
    }
}

@Suite struct HistoryTests {
    @Test func historyAnswersWhatHeldAnAliasAtAMoment() throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock(Timestamp.parse("2026-03-01T09:00:00.000Z")!)
        let root = directory.url("registry")
        _ = try TestBackend.initializeRegistry(at: root)
        let registry = try Registry.open(at: root, clock: { clock.read() })
        for tag in ["1", "2"] {
            try writeFile(directory.url("m\(tag)/w.bin"), "weights \(tag)")
            _ = try registry.register(RegistrationRequest(model: "churn", paths: ["m\(tag)"], git: .none, registrant: releaser, currentDirectory: directory.path))
        }
        func promote(_ reference: String, _ alias: String) throws {
            clock.advance(3600)
            _ = try registry.promote(PromotionRequest(reference: reference, alias: alias, reason: nil, force: false, dryRun: false, actor: releaser))
        }
        try promote("churn@1", "production")   // 10:00
        try promote("churn@1", "staging")      // 11:00
        try promote("churn@2", "production")   // 12:00

        func held(_ time: String, _ alias: String? = "production") throws -> [String: Int?] {
            let found = try registry.aliases(model: "churn", alias: alias, at: Timestamp.parse(time)!)
            return Dictionary(uniqueKeysWithValues: found.map { ($0.key.value, $0.value.event.to?.number) })
        }
        #expect(try held("2026-03-01T09:30:00Z").isEmpty)
        #expect(try held("2026-03-01T10:00:00Z") == ["production": 1])
        #expect(try held("2026-03-01T11:59:59.999Z") == ["production": 1])
        #expect(try held("2026-03-01T14:00:00+02:00") == ["production": 2], "offsets are honoured")
        #expect(try held("2026-03-01T11:30:00Z", nil) == ["production": 1, "staging": 1])

        let history = try registry.history(model: "churn", alias: nil, limit: 2)
        // The registrations are ledger events too; history shows the alias moves.
        #expect(history.total == 3 && history.events.map(\.event.action) == [.promote, .promote])
        #expect(history.head?.sequence == history.events.first?.event.sequence && history.head?.digest == history.events.first?.digest)
        #expect(history.events[0].event.sequence > history.events[1].event.sequence)
        #expect(history.events[0].event.from?.number == 1 && history.events[0].event.actor == releaser)
    }
}

@Suite struct LedgerTamperingTests {
    func promotedThrice() throws -> Workspace {
        let space = try Workspace()
        for tag in ["1", "2", "3"] {
            try space.registerVersion("churn", tag)
            try space.promote("churn@\(tag)", to: "production", reason: "release \(tag)")
        }
        try assertRegistryConsistent(space.root)
        return space
    }

    func ledgerProblem(_ space: Workspace) throws -> IntegrityProblem? {
        let report = try space.registry.verify([])
        #expect(report.eventsChecked >= 2)
        return report.problems.first { $0.kind == .ledger }
    }

    @Test func anAlteredEventIsNamed() throws {
        let space = try promotedThrice()
        try executeSQL(space.root, "UPDATE events SET reason = 'nothing to see' WHERE seq = 2")
        let problem = try #require(try ledgerProblem(space))
        #expect(problem.detail.contains("event #2 was altered"))
        #expect(problem.affected == ["ledger event #2"])
    }

    @Test func aRedirectedAliasIsAnAlteredEvent() throws {
        let space = try promotedThrice()
        // Events: register 1, promote 1, register 2, promote 2, register 3, promote 3.
        try executeSQL(space.root, "UPDATE events SET to_version_id = 1 WHERE seq = 6")
        #expect(space.holder("production") == 1, "the edit moved the alias behind mreg's back")
        #expect(try ledgerProblem(space)?.detail.contains("event #6 was altered") == true)
    }

    @Test func aRemovedEventIsNamed() throws {
        let space = try promotedThrice()
        try executeSQL(space.root, "DELETE FROM events WHERE seq = 2")
        #expect(try ledgerProblem(space)?.detail.contains("event #2 is missing") == true)
    }

    @Test func aRenumberedRemovalIsCaughtByTheChain() throws {
        let space = try promotedThrice()
        try executeSQL(space.root, "DELETE FROM events WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3")
        let detail = try #require(try ledgerProblem(space)?.detail)
        #expect(detail.contains("event #2"))
    }

    @Test func reorderedEventsAreNamed() throws {
        let space = try promotedThrice()
        try executeSQL(space.root, "UPDATE events SET seq = -1 WHERE seq = 1; UPDATE events SET seq = 1 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = -1")
        #expect(try ledgerProblem(space)?.detail.contains("event #1") == true)
    }

    @Test func theHistorySurvivesEveryOtherOperation() throws {
        let space = try promotedThrice()
        try space.rollback("production", reason: "r")
        _ = try space.registry.deprecate(reference: "churn@3", reason: "bad", actor: releaser)
        _ = try space.registry.collectGarbage(dryRun: false)
        try space.registerVersion("churn", "4")
        let history = try space.registry.history(model: "churn", alias: nil, limit: nil)
        #expect(history.events.map(\.event.action) == [.deprecate, .rollback, .promote, .promote, .promote])
        try assertRegistryConsistent(space.root)
    }
}

@Suite struct SignatureVerificationTests {
    func signedRegistry() throws -> (Workspace, String) {
        let space = try Workspace()
        try space.registerVersion("churn", "1")
        try space.registerVersion("churn", "2")
        let pair = try Registry.generateKeyPair(name: "release", directory: space.directory.path)
        _ = try space.registry.trustKey(pem: String(decoding: try readFile(pair.publicKey), as: UTF8.self), name: "release")
        _ = try space.registry.sign(reference: "churn@1", keyPEM: String(decoding: try readFile(pair.privateKey), as: UTF8.self), signer: Registrant(user: "r", host: "h"))
        let report = try space.registry.verify([])
        #expect(report.isIntact && report.signaturesChecked == 1)
        return (space, pair.privateKey)
    }

    @Test func aSwappedManifestFailsItsSignature() throws {
        let (space, _) = try signedRegistry()
        // Point version 1 at version 2's manifest and files, consistently: blobs and manifests
        // check out, and only the signature over version 1's digest gives it away.
        try executeSQL(space.root, """
            CREATE TEMP TABLE saved AS SELECT number, manifest_digest FROM versions;
            UPDATE versions SET manifest_digest = manifest_digest || 'x';
            UPDATE versions SET manifest_digest = (SELECT manifest_digest FROM saved WHERE saved.number = 3 - versions.number);
            UPDATE version_files SET version_id = -version_id;
            UPDATE version_files SET version_id = 3 + version_id;
            """)
        let problems = try space.registry.verify(["churn@1"]).problems
        #expect(problems.first?.kind == .badSignature, "blobs and manifests check out; the signature catches it")
        #expect(problems.dropFirst().allSatisfy { $0.kind == .recordMismatch }, "and so do the registration and signature records of the ledger")
        #expect(problems.contains { $0.kind == .badSignature && $0.detail.contains("churn@1") && $0.detail.contains("does not match") })
    }

    @Test func aCorruptedSignatureFailsVerify() throws {
        let (space, _) = try signedRegistry()
        try executeSQL(space.root, "UPDATE signatures SET signature = 'AAAA' || substr(signature, 5)")
        let problems = try space.registry.verify([]).problems
        #expect(problems.map(\.kind) == [.badSignature, .recordMismatch])
        #expect(problems[1].detail.contains("a signature of churn@1 no longer matches what ledger event #") && problems[1].detail.contains("changed: signature"))
    }

    @Test func aSignatureByAKeyNoLongerTrustedFailsVerify() throws {
        let (space, _) = try signedRegistry()
        try FileManager.default.removeItem(atPath: space.root + "/keys/release.pub")
        let other = try Registry.generateKeyPair(name: "other", directory: space.directory.path)
        _ = try space.registry.trustKey(pem: String(decoding: try readFile(other.publicKey), as: UTF8.self), name: "other")
        let problems = try space.registry.verify([]).problems
        #expect(problems.map(\.kind) == [.untrustedSignature])
        #expect(problems.first?.detail.contains("does not trust") == true)
    }

    /// A rotated-out key makes verify fail, but it says nothing about the bytes: it must not
    /// block an emergency rollback to the version it signed, nor `require_verified`.
    @Test func aKeyNoLongerTrustedDoesNotBlockRollingBackToWhatItSigned() throws {
        let (space, _) = try signedRegistry()
        try space.promote("churn@1", to: "production")
        try space.promote("churn@2", to: "production")
        try FileManager.default.removeItem(atPath: space.root + "/keys/release.pub")
        #expect(try space.rollback("production", reason: "v2 regressed").to.number == 1)
        try space.policy("[aliases.canary]\nrequire_verified = true\n")
        #expect(try space.promote("churn@1", to: "canary").report.passed)
    }

    @Test func trustingIsIdempotentAndNamesAreNotReused() throws {
        let (space, privateKey) = try signedRegistry()
        let pem = String(decoding: try readFile(space.root + "/keys/release.pub"), as: UTF8.self)
        #expect(try !space.registry.trustKey(pem: pem, name: "another-name").added)
        let other = try Registry.generateKeyPair(name: "other", directory: space.directory.path)
        try expectFailure(.conflict) { try space.registry.trustKey(pem: String(decoding: try readFile(other.publicKey), as: UTF8.self), name: "release") }
        try expectFailure(.usage) { try space.registry.trustKey(pem: String(decoding: try readFile(privateKey), as: UTF8.self), name: "x") }
        try expectFailure(.conflict) { try Registry.generateKeyPair(name: "release", directory: space.directory.path) }
        var info = stat()
        #expect(stat(privateKey, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
}
