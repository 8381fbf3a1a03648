internal import Crypto
import RegistryStorage
import RegistryModel

/// SHA-256 over a stream of chunks; the only place that touches swift-crypto, whose own
/// `Digest` protocol would otherwise shadow ours in every file of the module.
struct StreamingSHA256 {
    private var hasher = SHA256()

    mutating func update(_ chunk: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: chunk)
    }

    func finalize() -> RegistryModel.Digest {
        RegistryModel.Digest(rawBytes: hasher.finalize())
    }

    static func hash(_ bytes: [UInt8]) -> RegistryModel.Digest {
        RegistryModel.Digest(rawBytes: SHA256.hash(data: bytes))
    }
}
