import Dispatch
import Foundation
import RegistryModel

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
    /// `compute` draws one weight per example, in its own fixed order, from the weights it is given.
    public static func intervals(
        names: [String], count: Int, rounds: Int, seed: UInt64, level: Double,
        compute: @escaping @Sendable (inout PoissonWeights) -> [Double]
    ) -> [String: ClosedRange<Double>] {
        guard rounds > 0, count > 0 else { return [:] }
        let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: rounds * names.count)
        defer { results.deallocate() }
        nonisolated(unsafe) let shared = results
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var round = worker
            while round < rounds {
                // Weights are drawn as the metric reads them: no buffer of a million weights
                // is written and read back each round.
                var weights = PoissonWeights(seed: seed ^ (UInt64(round) &* 0x9E37_79B9_7F4A_7C15))
                let values = compute(&weights)
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
            intervals[name] = Percentile.of(samples, tail)...Percentile.of(samples, 1 - tail)
        }
        return intervals
    }

    /// Read-only after initialisation, so sharing it across threads is safe.
    nonisolated(unsafe) static let thresholdBuffer: UnsafeBufferPointer<UInt64> = {
        let buffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: thresholds.count)
        _ = buffer.initialize(from: thresholds)
        return UnsafeBufferPointer(buffer)
    }()
}

/// Where an evaluation's per-example weights come from: all 1 for the point estimate, Poisson(1)
/// draws for a bootstrap round. Metrics call `next()` once per example, in a fixed order.
public protocol ExampleWeights {
    mutating func next() -> Double
}

public struct UnitWeights: ExampleWeights {
    public init() {}
    @inline(__always) public mutating func next() -> Double { 1 }
}

public struct PoissonWeights: ExampleWeights {
    private var random: SplitMix64
    // The first cumulative probabilities, held in registers: 98% of draws need nothing else
    // (the table handles the rare tail).
    private let t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64
    private let thresholds = Bootstrap.thresholdBuffer

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        (t0, t1, t2, t3) = (thresholds[0], thresholds[1], thresholds[2], thresholds[3])
    }

    /// A comparison's result as 0 or 1 without a branch.
    @inline(__always) private static func bit(_ flag: Bool) -> Int {
        Int(unsafeBitCast(flag, to: UInt8.self))
    }

    @inline(__always) public mutating func next() -> Double {
        let draw = random.next()
        // Branch-free for the common counts: a random branch per example would be mispredicted
        // about half the time (measured: 7.5 ns per draw with `? 1 : 0`, which compiles to
        // branches, 2.8 ns with the comparisons' bits added up).
        var k = Self.bit(draw >= t0) &+ Self.bit(draw >= t1) &+ Self.bit(draw >= t2) &+ Self.bit(draw >= t3)
        if _slowPath(k == 4) {
            while k < thresholds.count && draw >= thresholds[k] { k += 1 }
        }
        return Double(k)
    }
}

/// Weights given per input row, read in a task's own order (binary metrics read rows sorted by
/// score): a paired comparison weights the same rows of both models the same way.
public struct RowWeights: ExampleWeights {
    private let weights: UnsafeBufferPointer<Double>
    private let order: UnsafeBufferPointer<Int>?
    private var position = 0

    init(weights: UnsafeBufferPointer<Double>, order: UnsafeBufferPointer<Int>?) {
        self.weights = weights
        self.order = order
    }

    @inline(__always) public mutating func next() -> Double {
        defer { position += 1 }
        return weights[order?[position] ?? position]
    }
}
