import Foundation
internal import Crypto
internal import CryptoExtras
import RegistryModel

/// An Ed25519 private key read from (or written as) a PKCS#8 PEM file, interoperable with openssl.
public struct SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    private init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
    }

    /// A fresh key pair from the system's secure random source.
    public static func generate() -> SigningKey {
        SigningKey(key: Curve25519.Signing.PrivateKey())
    }

    public init(pem: String) throws(SignatureError) {
        guard pem.contains("PRIVATE KEY") else {
            throw pem.contains("PUBLIC KEY") ? .publicKeyGiven : .unreadableKey("no PEM 'PRIVATE KEY' block")
        }
        do {
            key = try Curve25519.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw .unreadableKey("not an Ed25519 private key in PKCS#8 PEM (\(error))")
        }
    }

    public var pem: String { key.pemRepresentation + "\n" }
    public var publicKey: TrustedKey { TrustedKey(key: key.publicKey) }

    /// Signs the statement that binds a signature to one manifest digest.
    public func sign(manifest digest: RegistryModel.Digest) throws(SignatureError) -> [UInt8] {
        do {
            return Array(try key.signature(for: Data(SignatureStatement.bytes(for: digest))))
        } catch {
            throw .unreadableKey("signing failed: \(error)")
        }
    }
}

/// An Ed25519 public key: one of the registry's trusted keys, or the public half of a signing key.
public struct TrustedKey: Sendable {
    fileprivate let key: Curve25519.Signing.PublicKey

    fileprivate init(key: Curve25519.Signing.PublicKey) {
        self.key = key
    }

    public init(pem: String) throws(SignatureError) {
        if pem.contains("PRIVATE KEY") { throw .privateKeyGiven }
        do {
            key = try Curve25519.Signing.PublicKey(pemRepresentation: pem)
        } catch {
            throw .unreadableKey("not an Ed25519 public key in PEM (\(error))")
        }
    }

    public var pem: String { key.pemRepresentation + "\n" }

    /// SHA-256 of the raw 32-byte key: how signatures name the key that made them.
    public var fingerprint: RegistryModel.Digest {
        RegistryModel.Digest(rawBytes: SHA256.hash(data: key.rawRepresentation))
    }

    public func isValidSignature(_ signature: [UInt8], manifest digest: RegistryModel.Digest) -> Bool {
        key.isValidSignature(Data(signature), for: Data(SignatureStatement.bytes(for: digest)))
    }
}

/// The bytes a signature covers: a fixed context string and the manifest digest, so a signature
/// made for mreg can never be replayed as a signature over anything else.
enum SignatureStatement {
    static func bytes(for digest: RegistryModel.Digest) -> [UInt8] {
        Array("mreg manifest signature v1\n\(digest)\n".utf8)
    }
}

/// A key that cannot be used.
public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadableKey(String)
    case publicKeyGiven
    case privateKeyGiven

    public var description: String {
        switch self {
        case .unreadableKey(let reason): reason
        case .publicKeyGiven: "this is a public key; signing needs the private key (NAME.key)"
        case .privateKeyGiven: "this is a private key; trust its public half (NAME.pub) and keep the private key secret"
        }
    }
}
