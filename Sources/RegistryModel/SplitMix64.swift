/// A small, fast, seedable random generator (Steele et al.'s SplitMix64).
///
/// Everything random in mreg must be reproducible: a dataset's reservoir sample (the same content
/// gives the same profile) and bootstrap rounds (the same seed gives the same intervals).
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in (0, 1): never 0, so its logarithm is finite.
    public mutating func unit() -> Double {
        (Double(next() >> 11) + 0.5) / Double(UInt64(1) << 53)
    }
}

/// Order statistics shared by profiles and bootstrap intervals.
public enum Percentile {
    /// Linear interpolation between order statistics of sorted values (numpy's default method);
    /// NaN for no values.
    public static func of(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
