import Foundation
import RegistryModel

/// Which blobs a sampled `verify` re-hashes (`--sample 5%` or `--sample 2GiB`, `--seed N`), as
/// restic's `check --read-data-subset` does: a nightly job checks a huge store in bounded time,
/// and successive seeds cover all of it. Every referenced blob is still checked to exist with
/// its size.
///
/// A blob's place on a ring [0, 1) is its digest's first 64 bits (content digests are uniform).
/// A fraction `w` re-hashes the window [offset, offset + w) with offset `(seed mod n) · w`,
/// n = ⌈1/w⌉: seeds 0 … n−1 tile the ring, so n runs with consecutive seeds re-hash every blob
/// once. A byte budget starts at `seed · φ` on the ring (golden-ratio steps spread successive
/// starts evenly) and takes blobs in ring order until the budget is spent.
public struct BlobSample: Sendable, Equatable {
    public enum Amount: Sendable, Equatable {
        case fraction(Double)
        case bytes(Int64)
    }

    public let amount: Amount
    public let seed: UInt64

    public init(amount: Amount, seed: UInt64) {
        self.amount = amount
        self.seed = seed
    }

    /// `5%` (a share of the blobs) or `2GiB` (a budget of bytes, as `InputParsing.bytes` reads
    /// sizes); nil when it is neither.
    public static func amount(_ text: String) -> Amount? {
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast()), percent > 0, percent <= 100 else { return nil }
            return .fraction(percent / 100)
        }
        return InputParsing.bytes(text).flatMap { $0 > 0 ? .bytes($0) : nil }
    }

    /// The blobs of `blobs` (digest and size) this sample re-hashes.
    public func select(_ blobs: [(digest: Digest, size: Int64)]) -> Set<Digest> {
        switch amount {
        case .fraction(let width):
            let windows = UInt64((1 / width).rounded(.up))
            let offset = Double(seed % windows) * width
            return Set(blobs.lazy.filter { Self.distance(Self.place($0.digest), from: offset) < width }.map(\.digest))
        case .bytes(let budget):
            let offset = (Double(seed % 1_000_003) * 0.618_033_988_749_894_8).truncatingRemainder(dividingBy: 1)
            var chosen = Set<Digest>()
            var spent: Int64 = 0
            for blob in blobs.sorted(by: { Self.distance(Self.place($0.digest), from: offset) < Self.distance(Self.place($1.digest), from: offset) }) {
                guard spent < budget else { break }
                chosen.insert(blob.digest)
                // A document's size is not recorded (0 here): small, it counts as one byte.
                spent += max(blob.size, 1)
            }
            return chosen
        }
    }

    /// A digest's place on the ring: its first 64 bits as a fraction.
    static func place(_ digest: Digest) -> Double {
        Double(UInt64(digest.hex.prefix(16), radix: 16) ?? 0) / 18_446_744_073_709_551_616.0
    }

    /// How far past `offset` a place lies, going round the ring.
    static func distance(_ place: Double, from offset: Double) -> Double {
        let distance = place - offset
        return distance < 0 ? distance + 1 : distance
    }

    /// The amount as a report says it: `5%` or `2.0 GiB`.
    public var description: String {
        switch amount {
        case .fraction(let width): "\(NumberFormat.metric(width * 100))%"
        case .bytes(let budget): NumberFormat.bytes(budget)
        }
    }
}
