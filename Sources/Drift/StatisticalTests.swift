import Foundation

/// The distributions behind drift tests, from their textbook series (Numerical Recipes §6.2, §14.3).
enum StatisticalTests {
    /// Two-sample Kolmogorov-Smirnov: the largest gap between the samples' empirical CDFs and its
    /// asymptotic p-value (with Stephens' small-sample correction).
    static func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> (statistic: Double, pValue: Double) {
        let x = a.sorted(), y = b.sorted()
        guard !x.isEmpty, !y.isEmpty else { return (0, 1) }
        var i = 0, j = 0
        var largest = 0.0
        while i < x.count && j < y.count {
            let value = min(x[i], y[j])
            while i < x.count && x[i] == value { i += 1 }
            while j < y.count && y[j] == value { j += 1 }
            largest = max(largest, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        let effective = Double(x.count * y.count) / Double(x.count + y.count)
        let root = effective.squareRoot()
        return (largest, kolmogorovTail((root + 0.12 + 0.11 / root) * largest))
    }

    /// P(K > λ) for the Kolmogorov distribution.
    static func kolmogorovTail(_ lambda: Double) -> Double {
        guard lambda > 0.001 else { return 1 }
        var sum = 0.0
        var sign = 1.0
        for k in 1...100 {
            let term = sign * exp(-2 * Double(k * k) * lambda * lambda)
            sum += term
            if abs(term) < 1e-12 * abs(sum) { break }
            sign = -sign
        }
        return min(1, max(0, 2 * sum))
    }

    /// P(χ² with `degrees` degrees of freedom > statistic): the regularised upper incomplete gamma Q(k/2, x/2).
    static func chiSquareTail(_ statistic: Double, degrees: Int) -> Double {
        guard degrees > 0 else { return 1 }
        guard statistic > 0 else { return 1 }
        return upperIncompleteGamma(Double(degrees) / 2, statistic / 2)
    }

    static func upperIncompleteGamma(_ a: Double, _ x: Double) -> Double {
        if x < a + 1 {
            // Series for P, then Q = 1 − P.
            var sum = 1 / a, term = 1 / a, n = a
            for _ in 0..<500 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(-x + a * log(x) - lgamma(a)))
        }
        // Continued fraction for Q (modified Lentz).
        var b = x + 1 - a, c = 1 / Double.leastNormalMagnitude, d = 1 / b, h = d
        for i in 1...500 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < Double.leastNormalMagnitude { d = Double.leastNormalMagnitude }
            c = b + an / c
            if abs(c) < Double.leastNormalMagnitude { c = Double.leastNormalMagnitude }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return min(1, exp(-x + a * log(x) - lgamma(a)) * h)
    }

    /// Population stability index of two distributions over the same bins (fractions), with
    /// empty bins floored at 1e-4 so that a new or vanished bin counts without dividing by zero.
    static func populationStability(expected: [Double], actual: [Double]) -> Double {
        zip(expected, actual).reduce(0) { sum, pair in
            let e = max(pair.0, 1e-4), a = max(pair.1, 1e-4)
            return sum + (a - e) * log(a / e)
        }
    }
}
