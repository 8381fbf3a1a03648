import Foundation
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

/// `min_age` against a clock the test moves: versions younger than the limit stay whatever
/// `keep_last` says, older ones go.
@Suite struct RetentionTests {
    @Test func minAgeKeepsYoungVersionsAndLetsOldOnesGo() throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock(Timestamp.parse("2026-01-01T09:00:00.000Z")!)
        let root = directory.url("registry")
        _ = try TestBackend.initializeRegistry(at: root)
        let registry = try Registry.open(at: root, clock: { clock.read() })
        try writeFile(root + "/config.toml", "[retention]\nkeep_last = 1\nmin_age = \"30d\"\n")
        func register(_ tag: String) throws {
            try writeFile(directory.url("m\(tag)/w.bin"), "weights \(tag)")
            _ = try registry.register(RegistrationRequest(model: "churn", paths: ["m\(tag)"], git: .none, registrant: releaser, currentDirectory: directory.path))
        }
        try register("1")
        try register("2")
        clock.advance(20 * 86_400)
        try register("3")
        try register("4")
        clock.advance(15 * 86_400)  // 1 and 2 are 35 days old, 3 and 4 are 15

        let plan = try registry.retention(model: nil, apply: false, actor: releaser)
        #expect(plan.models.map { $0.deletions.map(\.number) } == [[2, 1]], "3 is young; 4 is the newest")
        #expect(plan.models.first?.deletions.first?.why == "not among the newest 1; registered 2026-01-01T09:00:00.000Z, more than 30d ago")
        let applied = try registry.retention(model: "churn", apply: true, actor: releaser)
        #expect(applied.models.first?.deletions.allSatisfy { $0.event?.event.action == .delete } == true)
        #expect(try registry.versions(of: "churn").versions.map(\.number) == [4, 3])
        clock.advance(30 * 86_400)
        #expect(try registry.retention(model: nil, apply: false, actor: releaser).models.map { $0.deletions.map(\.number) } == [[3]])
        try assertRegistryConsistent(root)
    }
}
