import Foundation
import RegistryTestSupport
import Testing

/// `mreg keys trust` and `mreg sign` through `mreg serve`: the private key never leaves the
/// client; the server records a signature only when it verifies with a key its registry trusts.
@Suite struct SignThroughServerTests {
    @Test func aSignatureMadeOnTheClientIsRecordedAndVerifies() throws {
        let served = try ServerClientTests.Served()
        let writer = try served.direct(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
        try FileManager.default.createDirectory(atPath: served.space.directory.url("keys"), withIntermediateDirectories: true)
        for name in ["release", "stranger"] {
            #expect(try served.client(["keys", "generate", name, "--out", "keys", "-q"]).status == 0, "keys generate works on the client's machine")
        }

        let refusedTrust = try served.client(["keys", "trust", "keys/release.pub"], token: writer)
        #expect(refusedTrust.status == 4 && refusedTrust.stderr.contains("/v1/keys/trust needs the admin role"), "\(refusedTrust.stderr)")
        let trusted = try served.client(["keys", "trust", "keys/release.pub", "--json"])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        try expectValid(trusted, schema: "keys-trust")
        #expect(try served.direct(["keys", "trust", "keys/release.pub"]).stdout.hasPrefix("unchanged: this key is already trusted as 'release'"))
        let privateKey = try served.client(["keys", "trust", "keys/release.key"])
        let privateHere = try served.direct(["keys", "trust", "keys/release.key"])
        #expect(privateKey.status == privateHere.status && privateKey.stderr == privateHere.stderr, "\(privateKey.stderr) vs \(privateHere.stderr)")

        let before = try registrySnapshot(served.space.registry)
        let untrusted = try served.client(["sign", "churn@1", "--key", "keys/stranger.key"], token: writer)
        let untrustedHere = try served.direct(["sign", "churn@1", "--key", "keys/stranger.key"])
        #expect(untrusted.status == 4 && untrusted.stderr == untrustedHere.stderr, "\(untrusted.stderr) vs \(untrustedHere.stderr)")
        let manifest = try served.direct(["show", "churn@1", "--json"]).json()["digest"] as! String
        let otherManifest = try served.direct(["show", "churn@2", "--json"]).json()["digest"] as! String
        let fingerprint = (try served.direct(["keys", "list", "--json"]).json()["keys"] as! [[String: Any]])[0]["fingerprint"] as! String
        let forged = Data(repeating: 7, count: 64).base64EncodedString()
        for (body, status, text) in [
            (#"{"manifest": "\#(manifest)", "keyFingerprint": "\#(fingerprint)", "signature": "\#(forged)"}"#, 409, "does not verify with key 'release'"),
            (#"{"manifest": "\#(otherManifest)", "keyFingerprint": "\#(fingerprint)", "signature": "\#(forged)"}"#, 409, "but churn@1's is"),
            (#"{"manifest": "\#(manifest)", "keyFingerprint": "\#(fingerprint)", "signature": "not base64!"}"#, 400, "is not base64"),
            (#"{"manifest": "\#(manifest)"}"#, 400, "is not a signature"),
        ] {
            let answer = try served.server.request("/v1/sign?ref=churn@1", token: writer, method: "POST", body: body)
            #expect(answer.status == status && answer.body.contains(text), "\(body): \(answer)")
        }
        #expect(try registrySnapshot(served.space.registry) == before, "a refused signature changed the registry")

        let signed = try served.client(["sign", "churn@1", "--key", "keys/release.key"], token: writer)
        #expect(signed.status == 0 && signed.stdout.hasPrefix("signed: churn@1 (") && signed.stdout.contains("by key 'release'"), "\(signed)")
        #expect(try served.direct(["sign", "churn@1", "--key", "keys/release.key"]).stdout.hasPrefix("unchanged: churn@1 is already signed by key 'release'"))
        let verified = try served.direct(["verify", "churn@1", "--json"]).json()
        #expect(verified["ok"] as? Bool == true, "\(verified)")
        let signatures = try served.direct(["show", "churn@1", "--json"]).json()["signatures"] as! [[String: Any]]
        #expect(signatures.count == 1 && signatures[0]["state"] as? String == "valid" && (signatures[0]["signed_by"] as? String)?.hasPrefix("ci@") == true,
                "the token signed it: \(signatures)")
        #expect(served.server.stop().status == 0)
    }
}
