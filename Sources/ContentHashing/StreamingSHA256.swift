internal import Crypto
import RegistryStorage
import RegistryModel

/// SHA-256 over a stream of chunks; the only place that touches swift-crypto, whose own
/// `Digest` protocol would otherwise shadow ours in every file of the module. Public for the
/// stores, which hash what they send and receive.
public struct StreamingSHA256: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ chunk: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: chunk)
    }

    public func finalize() -> RegistryModel.Digest {
        RegistryModel.Digest(rawBytes: hasher.finalize())
    }

    public static func hash(_ bytes: [UInt8]) -> RegistryModel.Digest {
        RegistryModel.Digest(rawBytes: SHA256.hash(data: bytes))
    }
}
