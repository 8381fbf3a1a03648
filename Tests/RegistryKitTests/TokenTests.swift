import Foundation
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

/// What `mreg serve` will ask of a token: is this secret a usable token, and whose.
@Suite struct TokenTests {
    static let actor = Registrant(user: "admin", host: "ops")

    /// A new registry whose clock the test moves.
    static func registry(in directory: TemporaryDirectory, clock: ManualClock) throws -> Registry {
        let root = directory.url("registry")
        _ = try TestBackend.initializeRegistry(at: root)
        return try Registry.open(at: root, clock: { clock.read() })
    }

    @Test func aSecretAuthenticatesUntilItExpiresOrIsRevoked() throws {
        let (directory, clock) = (TemporaryDirectory(), ManualClock(Timestamp.parse("2026-03-01T09:00:00.000Z")!))
        let registry = try Self.registry(in: directory, clock: clock)
        let (short, shortSecret) = try registry.createToken(TokenRequest(name: "short", role: .writer, models: "churn*", expires: "1m", actor: Self.actor))
        let (_, longSecret) = try registry.createToken(TokenRequest(name: "long", role: .admin, actor: Self.actor))
        #expect(short.expiresAt == clock.read().addingTimeInterval(60) && short.models.matches("churn-eu") && !short.models.matches("fraud"))
        #expect(try registry.authenticate(secret: shortSecret)?.name == "short")
        #expect(try registry.authenticate(secret: longSecret)?.role == .admin)
        #expect(try registry.authenticate(secret: shortSecret + "x") == nil, "a wrong secret")
        #expect(try registry.authenticate(secret: "not-a-token") == nil)
        #expect(try registry.hasActiveAdmin())

        clock.advance(61)
        #expect(try registry.authenticate(secret: shortSecret) == nil, "expired")
        _ = try registry.revokeToken(named: "long")
        #expect(try registry.authenticate(secret: longSecret) == nil, "revoked")
        #expect(try !registry.hasActiveAdmin())
        #expect(try registry.tokens().map(\.name) == ["long", "short"])
    }

    /// A browser's session: made from a usable token only, never outliving it, ended by its
    /// expiry, by signing out, or by the token's revocation at the next request.
    @Test func aWebSessionLastsWhileItsTokenDoes() throws {
        let (directory, clock) = (TemporaryDirectory(), ManualClock(Timestamp.parse("2026-03-01T09:00:00.000Z")!))
        let registry = try Self.registry(in: directory, clock: clock)
        let (_, daySecret) = try registry.createToken(TokenRequest(name: "day", role: .reader, actor: Self.actor))
        let (_, hourSecret) = try registry.createToken(TokenRequest(name: "hour", role: .promoter, expires: "1h", actor: Self.actor))
        #expect(try registry.signIn(secret: daySecret + "x") == nil)
        #expect(try registry.signIn(secret: "not-a-token") == nil)

        let day = try #require(try registry.signIn(secret: daySecret))
        #expect(day.secret.hasPrefix(Registry.sessionPrefix) && day.secret != daySecret && day.token.name == "day")
        #expect(day.session.expiresAt == clock.read().addingTimeInterval(Registry.webSessionLifetime))
        #expect(try registry.webSession(secret: day.secret)?.token.name == "day")
        #expect(try registry.webSession(secret: daySecret) == nil, "a token is not a session")
        #expect(try registry.authenticate(secret: day.secret) == nil, "a session is not a token")
        let hour = try #require(try registry.signIn(secret: hourSecret))
        #expect(hour.session.expiresAt == clock.read().addingTimeInterval(3600), "capped at the token's expiry")
        #expect(day.session.formKey != hour.session.formKey)

        clock.advance(3601)
        #expect(try registry.webSession(secret: hour.secret) == nil, "the token expired")
        #expect(try registry.webSession(secret: day.secret) != nil)
        _ = try registry.revokeToken(named: "day")
        #expect(try registry.webSession(secret: day.secret) == nil, "the token was revoked")
        #expect(try registry.signIn(secret: daySecret) == nil)

        let (_, againSecret) = try registry.createToken(TokenRequest(name: "again", role: .reader, actor: Self.actor))
        let again = try #require(try registry.signIn(secret: againSecret))
        try registry.signOut(secret: again.secret)
        #expect(try registry.webSession(secret: again.secret) == nil, "signed out")
        let later = try #require(try registry.signIn(secret: againSecret))
        clock.advance(Registry.webSessionLifetime + 1)
        #expect(try registry.webSession(secret: later.secret) == nil, "the session expired")
    }

    @Test(arguments: [
        ("*", "anything/at/all", true), ("churn", "churn", true), ("churn", "churn-eu", false), ("churn*", "churn-eu", true),
        ("*-eu", "churn-eu", true), ("*-eu", "churn-us", false), ("team/*/prod", "team/a/b/prod", true), ("a*b*c", "abc", true),
        ("a*b*c", "acb", false), ("ab*ab", "ab", false),
    ])
    func patternsMatchWholeNames(_ pattern: String, _ name: String, _ expected: Bool) throws {
        #expect(try NamePattern(pattern, kind: "model pattern").matches(name) == expected)
    }

    @Test func rolesAreOrdered() {
        #expect(Role.reader < .writer && Role.writer < .promoter && Role.promoter < .admin)
    }
}
