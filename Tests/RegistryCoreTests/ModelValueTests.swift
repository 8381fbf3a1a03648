import Foundation
import RegistryModel
import Testing

@Suite struct ModelValueTests {
    @Test(arguments: ["churn", "team/churn", "a.b_c-d", "x1/y2/z3", "9lives"])
    func acceptsValidModelNames(_ name: String) throws {
        #expect(try ModelName(name).value == name)
    }

    @Test(arguments: [
        ("", "is empty"), ("Churn", "contains 'C'"), ("/churn", "starts with '/'"), ("churn/", "ends with '/'"),
        ("a..b", "contains '..'"), ("a//b", "empty segment"), ("a/.b", "does not start with a letter or digit"),
        ("churn@1", "contains '@'"), ("chürn", "contains 'ü'"),
    ])
    func refusesInvalidModelNames(_ name: String, _ problem: String) {
        #expect(throws: NameError.self) { try ModelName(name) }
        do {
            _ = try ModelName(name)
        } catch {
            #expect(error.description.contains(problem), "\(error.description)")
        }
    }

    @Test func parsesEveryReferenceForm() throws {
        #expect(try VersionRef(parsing: "churn").selector == .latest)
        #expect(try VersionRef(parsing: "churn@3").selector == .number(3))
        #expect(try VersionRef(parsing: "team/churn@v12").selector == .number(12))
        #expect(try VersionRef(parsing: "churn@production").selector == .alias(try AliasName("production")))
        #expect(try VersionRef(parsing: "churn@sha256:ABCDEF012345").selector == .digestPrefix("abcdef012345"))
        #expect(try VersionRef(parsing: "team/churn@v12").model.value == "team/churn")
    }

    @Test(arguments: ["churn@", "churn@0", "churn@v0", "churn@sha256:abc", "churn@sha256:xyzxyzxyzxyz", "Churn@1", "churn@Prod"])
    func refusesMalformedReferences(_ text: String) {
        #expect(throws: ReferenceError.self) { try VersionRef(parsing: text) }
    }

    @Test func digestRoundTripsAndRejectsBadHex() throws {
        let hex = String(repeating: "ab", count: 32)
        let digest = try #require(Digest(parsing: "sha256:" + hex))
        #expect(digest.description == "sha256:" + hex)
        #expect(digest.short == String(hex.prefix(12)))
        #expect(Digest(parsing: "sha256:" + hex.uppercased()) == nil)
        #expect(Digest(parsing: "sha256:abc") == nil)
        #expect(Digest(rawBytes: [UInt8](repeating: 0xab, count: 32)) == digest)
    }

    @Test func canonicalJSONSortsKeysAndIsByteStable() throws {
        let value = JSONValue.object([
            "b": .array([.integer(1), .number(0.5), .null]), "a": .string("x\"y\\z\n\u{01}/é"), "A": .bool(true), "n": .number(2.0),
        ])
        let text = try CanonicalJSON.string(value)
        #expect(text == #"{"A":true,"a":"x\"y\\z\n\u0001/é","b":[1,0.5,null],"n":2}"#)
        let reparsed = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try CanonicalJSON.string(reparsed) == text)
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON.encode(.number(.nan)) }
    }

    @Test func commandLineScalarsParseAsJSONWhereTheyCan() {
        #expect(JSONValue.scalar(parsing: "42") == .integer(42))
        #expect(JSONValue.scalar(parsing: "0.1") == .number(0.1))
        #expect(JSONValue.scalar(parsing: "1e-3") == .number(0.001))
        #expect(JSONValue.scalar(parsing: "true") == .bool(true))
        #expect(JSONValue.scalar(parsing: "null") == .null)
        #expect(JSONValue.scalar(parsing: "adam") == .string("adam"))
        #expect(JSONValue.scalar(parsing: "1.2.3") == .string("1.2.3"))
        #expect(JSONValue.scalar(parsing: "inf") == .string("inf"))
        #expect(JSONValue.scalar(parsing: "\"7\"") == .string("7"))
    }

    @Test func metricKeysSplitAtTheFirstDot() throws {
        let scoped = try Metric(key: "holdout.auc", value: 0.9)
        #expect(scoped.dataset == "holdout" && scoped.name == "auc" && scoped.key == "holdout.auc")
        let flat = try Metric(key: "loss", value: 0.3)
        #expect(flat.dataset == "" && flat.key == "loss")
        #expect(throws: MetricError.self) { try Metric(key: "auc", value: .infinity) }
        #expect(throws: MetricError.self) { try Metric(key: ".auc", value: 1) }
    }
}

@Suite struct TimestampTests {
    /// Binary-exact fractions, since Foundation truncates 0.123 (stored as 0.12299…) to .122.
    @Test(arguments: [0.0, 1.5, 1_764_424_800.125, -86_400.25, 4_102_444_799.875])
    func formatsAndParsesTheStoredFormExactly(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let text = Timestamp.format(date)
        let reference = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
        #expect(text == reference)
        let parsed = try #require(Timestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - (seconds * 1000).rounded(.down) / 1000) < 1e-6)
    }

    @Test func parsesOtherISOFormsThroughFoundation() throws {
        #expect(Timestamp.parse("2026-03-01T12:00:00Z")?.timeIntervalSince1970 == 1_772_366_400)
        #expect(Timestamp.parse("2026-13-01T12:00:00.000Z") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }
}

@Suite struct AliasValueTests {
    @Test func aliasNamesFollowTheModelRulesAndCannotLookLikeVersions() throws {
        for good in ["production", "staging", "champion-2", "a.b_c"] { #expect(try AliasName(good).value == good) }
        for bad in ["", "7", "v7", "latest", "sha256-x", "Prod", "a/b", "-x", "a..b"] {
            #expect(throws: NameError.self, "\(bad)") { _ = try AliasName(bad) }
        }
    }

    /// The bytes an event's digest covers are a stored format: existing ledgers must keep
    /// verifying, so a change here is a break and this test pins them.
    @Test func anEventsCanonicalBytesArePinned() throws {
        let digest = Digest(hex: String(repeating: "1", count: 64))!
        let event = LedgerEvent(
            sequence: 2, at: Timestamp.parse("2026-03-01T12:00:00.000Z")!, model: try ModelName("churn"), alias: try AliasName("production"),
            action: .rollback, from: VersionPointer(model: try ModelName("churn"), number: 3, manifestDigest: digest), to: nil,
            actor: Registrant(user: "ana", host: "ci-1", ciProvider: "github-actions", ciJobID: "77"), reason: "INC \"142\"", forced: false,
            gates: "[]", previousDigest: digest)
        let expected = #"{"action":"rollback","actor":{"ci_job_id":"77","ci_job_url":null,"ci_provider":"github-actions","host":"ci-1","user":"ana"},"#
            + #""alias":"production","at":"2026-03-01T12:00:00.000Z","forced":false,"format":"mreg-event-v1","#
            + #""from":{"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","version":3},"gates":"[]","#
            + #""model":"churn","previous":"sha256:1111111111111111111111111111111111111111111111111111111111111111","#
            + #""reason":"INC \"142\"","sequence":2,"to":null}"#
        #expect(String(decoding: event.canonicalBytes(), as: UTF8.self) == expected)
    }
}
