import Foundation
import RegistryTestSupport
import Testing

/// `mreg token`: the secret is printed once and never stored; names, roles, patterns and
/// durations are checked before anything is written.
@Suite struct TokenCommandTests {
    @Test func aTokenIsShownOnceAndOnlyItsHashIsKept() throws {
        let space = try CLIWorkspace()
        let created = try space.run(["token", "create", "ci-churn", "--role", "writer", "--models", "churn*", "--expires", "90d"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .newlines)
        #expect(secret.range(of: "^mreg_[A-Za-z0-9_-]{43}$", options: .regularExpression) != nil, "stdout is the secret alone: \(created.stdout)")
        #expect(created.stderr.contains("writer on models churn*") && created.stderr.contains("only time"), "\(created.stderr)")

        let listed = try space.run(["token", "list", "--json"])
        try expectValid(listed, schema: "token-list")
        let tokens = try listed.json()["tokens"] as! [[String: Any]]
        #expect(tokens.count == 1 && tokens[0]["name"] as? String == "ci-churn" && tokens[0]["state"] as? String == "active")
        #expect(tokens[0]["expires_at"] is String && tokens[0]["aliases"] as? String == "*")
        let table = try space.run(["token", "list"])
        #expect(!listed.stdout.contains(secret) && !table.stdout.contains(secret))
        // The store holds the secret's SHA-256, never the secret.
        let dump = try registrySnapshot(space.registry).joined(separator: "\n")
        #expect(!dump.contains(secret), "the secret is stored")
        let hash = try run("/bin/sh", ["-c", "printf %s '\(secret)' | sha256sum | cut -c1-64"], in: space.path).stdout.trimmingCharacters(in: .newlines)
        // As text in SQLite (`sha256:` and hex), as bytes in PostgreSQL (dumped as `\x` and hex).
        #expect(dump.contains("sha256:\(hash)") || dump.contains("\\x\(hash)"), "the hash is not stored")

        let json = try space.run(["token", "create", "deploy", "--role", "reader", "--json"])
        try expectValid(json, schema: "token-create")
        #expect(try json.json()["secret"] as? String != secret)
    }

    @Test func revokingIsRecordedOnceAndAnUnknownNameIsNotFound() throws {
        let space = try CLIWorkspace()
        #expect(try space.run(["token", "create", "alice", "--role", "promoter", "--aliases", "staging"]).status == 0)
        let revoked = try space.run(["token", "revoke", "alice", "--json"])
        try expectValid(revoked, schema: "token-revoke")
        let first = try revoked.json()["token"] as! [String: Any]
        #expect(first["state"] as? String == "revoked" && first["revoked_at"] is String)
        let again = try space.run(["token", "revoke", "alice", "--json"])
        let second = try again.json()["token"] as! [String: Any]
        #expect(again.status == 0 && second["revoked_at"] as? String == first["revoked_at"] as? String)
        let list = try space.run(["token", "list"])
        #expect(list.stdout.contains("alice") && list.stdout.contains("revoked"), "\(list.stdout)")
        try space.expectRefusal(["token", "revoke", "bob"], status: 2, mentioning: "no token is named 'bob'")
    }

    @Test func badInputIsRefusedAndWritesNothing() throws {
        let space = try CLIWorkspace()
        #expect(try space.run(["token", "create", "ci", "--role", "writer"]).status == 0)
        try space.expectRefusal(["token", "create", "ci", "--role", "reader"], status: 3, mentioning: "a token named 'ci' already exists")
        try space.expectRefusal(["token", "create", "ci 2", "--role", "reader"], status: 64, mentioning: "invalid token name 'ci 2'")
        try space.expectRefusal(["token", "create", "ops", "--role", "owner"], status: 64, mentioning: "owner")
        try space.expectRefusal(["token", "create", "ops", "--role", "reader", "--expires", "3 months"], status: 64, mentioning: "is not a duration")
        try space.expectRefusal(["token", "create", "ops", "--role", "reader", "--models", "churn;drop"], status: 64, mentioning: "model pattern")
    }
}
