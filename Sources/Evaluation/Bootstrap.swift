import Dispatch
import Foundation

/// Percentile confidence intervals by the Poisson bootstrap: each round weights every example
/// by an independent Poisson(1) count (the large-sample equivalent of resampling with
/// replacement), so a round is one pass with weights and needs no copy of the data.
///
/// Round r draws from a generator seeded with (seed, r), so the intervals are the same for the
/// same seed however the rounds are spread over threads.
public enum Bootstrap {
    /// Cumulative Poisson(1) probabilities, scaled to 2^64, for drawing with one random word.
    private static let thresholds: [UInt64] = {
        var result = [UInt64]()
        var probability = exp(-1.0)
        var cumulative = 0.0
        for k in 0..<18 {
            cumulative += probability
            probability /= Double(k + 1)
            result.append(cumulative >= 1 ? UInt64.max : UInt64(cumulative * 18_446_744_073_709_551_616.0))
        }
        return result
    }()

    /// Intervals at `level` for each metric `compute` returns (its first `names.count` values).
    public static func intervals(
        names: [String], count: Int, rounds: Int, seed: UInt64, level: Double,
        compute: @escaping @Sendable (UnsafeBufferPointer<Double>) -> [Double]
    ) -> [String: ClosedRange<Double>] {
        guard rounds > 0, count > 0 else { return [:] }
        let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: rounds * names.count)
        defer { results.deallocate() }
        nonisolated(unsafe) let shared = results
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let weights = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            defer { weights.deallocate() }
            var round = worker
            while round < rounds {
                var random = Generator(seed: seed ^ (UInt64(round) &* 0x9E37_79B9_7F4A_7C15))
                for index in 0..<count { weights[index] = Double(poisson(&random)) }
                let values = compute(UnsafeBufferPointer(weights))
                // Each round writes its own row: no two threads touch the same element.
                for (metric, value) in values.prefix(names.count).enumerated() { shared[round * names.count + metric] = value }
                round += workers
            }
        }
        var intervals = [String: ClosedRange<Double>]()
        for (metric, name) in names.enumerated() {
            let samples = (0..<rounds).map { results[$0 * names.count + metric] }.filter { !$0.isNaN }.sorted()
            guard !samples.isEmpty else { continue }
            let tail = (1 - level) / 2
            intervals[name] = percentile(samples, tail)...percentile(samples, 1 - tail)
        }
        return intervals
    }

    @inline(__always)
    static func poisson(_ random: inout Generator) -> Int {
        let draw = random.next()
        var k = 0
        while k < thresholds.count && draw >= thresholds[k] { k += 1 }
        return k
    }

    /// numpy's default (linear) percentile of sorted values.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// SplitMix64: small, fast and seedable.
    struct Generator {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
