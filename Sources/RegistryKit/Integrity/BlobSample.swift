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
        var picker = Picker(self)
        let start = Double(ringStart) / 18_446_744_073_709_551_616.0
        let inRingOrder = blobs.sorted { Self.distance(Self.place($0.digest), from: start) < Self.distance(Self.place($1.digest), from: start) }
        return Set(inRingOrder.lazy.filter { picker.picks($0.digest, size: $0.size) }.map(\.digest))
    }

    /// Where a walk of the blobs in digest order starts, as a digest's first 64 bits: it goes to
    /// the last digest, then from the first up to here, so a byte budget is spent in ring order.
    public var ringStart: UInt64 {
        switch amount {
        case .fraction: 0
        case .bytes: UInt64(min(Self.budgetOffset(seed) * 18_446_744_073_709_551_616.0, Double(UInt64.max)))
        }
    }

    /// Decides blob by blob, for blobs given in ring order from `ringStart`, which this sample
    /// re-hashes: a walk of a store of any size keeps no list of them.
    public struct Picker: Sendable {
        private let sample: BlobSample
        private var spent: Int64 = 0

        public init(_ sample: BlobSample) {
            self.sample = sample
        }

        public mutating func picks(_ digest: Digest, size: Int64) -> Bool {
            switch sample.amount {
            case .fraction(let width):
                let windows = UInt64((1 / width).rounded(.up))
                return BlobSample.distance(BlobSample.place(digest), from: Double(sample.seed % windows) * width) < width
            case .bytes(let budget):
                guard spent < budget else { return false }
                // A document's size is not recorded (0 here): small, it counts as one byte.
                spent += max(size, 1)
                return true
            }
        }
    }

    /// Where a byte budget starts on the ring: golden-ratio steps spread successive seeds evenly.
    static func budgetOffset(_ seed: UInt64) -> Double {
        (Double(seed % 1_000_003) * 0.618_033_988_749_894_8).truncatingRemainder(dividingBy: 1)
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
