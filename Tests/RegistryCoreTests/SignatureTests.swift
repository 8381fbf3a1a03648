import Foundation
import RegistryModel
import RegistryTestSupport
import Signatures
import Testing

@Suite struct SignatureTests {
    let digest = Digest(hex: String(repeating: "ab", count: 32))!
    let other = Digest(hex: String(repeating: "cd", count: 32))!

    @Test func aSignatureVerifiesOnlyForItsDigestAndKey() throws {
        let key = SigningKey.generate()
        let signature = try key.sign(manifest: digest)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, manifest: digest))
        #expect(!key.publicKey.isValidSignature(signature, manifest: other))
        #expect(!SigningKey.generate().publicKey.isValidSignature(signature, manifest: digest))
        var corrupted = signature
        corrupted[10] ^= 0x01
        #expect(!key.publicKey.isValidSignature(corrupted, manifest: digest))
    }

    @Test func keysRoundTripThroughPEMAndInteroperateWithOpenSSL() throws {
        let directory = TemporaryDirectory()
        let key = SigningKey.generate()
        let reread = try SigningKey(pem: key.pem)
        #expect(reread.publicKey.fingerprint == key.publicKey.fingerprint)
        #expect(try TrustedKey(pem: key.publicKey.pem).fingerprint == key.publicKey.fingerprint)

        // openssl signs the same statement with our private key; our public key accepts it.
        try writeFile(directory.url("k.pem"), key.pem)
        try writeFile(directory.url("statement"), "mreg manifest signature v1\n\(digest)\n")
        let signed = try run("/usr/bin/openssl", ["pkeyutl", "-sign", "-inkey", "k.pem", "-rawin", "-in", "statement", "-out", "sig"], in: directory.path)
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(key.publicKey.isValidSignature(try readFile(directory.url("sig")), manifest: digest))

        // And openssl accepts ours with the public key we wrote.
        try writeFile(directory.url("k.pub"), key.publicKey.pem)
        try writeFile(directory.url("ours"), try key.sign(manifest: digest))
        let verified = try run(
            "/usr/bin/openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", "k.pub", "-rawin", "-in", "statement", "-sigfile", "ours"], in: directory.path)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }

    @Test func theWrongHalfOfAKeyIsRefusedClearly() {
        let key = SigningKey.generate()
        #expect(throws: SignatureError.publicKeyGiven) { _ = try SigningKey(pem: key.publicKey.pem) }
        #expect(throws: SignatureError.privateKeyGiven) { _ = try TrustedKey(pem: key.pem) }
        #expect { _ = try SigningKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") } throws: { ($0 as? SignatureError) != nil }
    }
}
