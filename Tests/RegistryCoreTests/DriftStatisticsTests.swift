import Foundation
import RegistryTestSupport
import Testing
@testable import Drift

@Suite struct DriftStatisticsTests {
    /// The distributions' tails against scipy's.
    @Test func tailsMatchSciPy() throws {
        let script = """
            import json
            from scipy import stats, special
            print(json.dumps({"chi2": [stats.chi2.sf(x, k) for x, k in [(0.5, 1), (3.2, 2), (12.0, 5), (40.0, 20), (150.0, 99), (7.0, 30)]],
                              "kolmogorov": [float(special.kolmogorov(l)) for l in [0.3, 0.8, 1.0, 1.36, 2.0]]}))
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script], in: "/")
        let reference = try result.json()
        let chi = try #require(reference["chi2"] as? [Double])
        for ((x, k), expected) in zip([(0.5, 1), (3.2, 2), (12.0, 5), (40.0, 20), (150.0, 99), (7.0, 30)], chi) {
            #expect(abs(StatisticalTests.chiSquareTail(x, degrees: k) - expected) < 1e-9, "χ²(\(k)) > \(x)")
        }
        let kolmogorov = try #require(reference["kolmogorov"] as? [Double])
        for (lambda, expected) in zip([0.3, 0.8, 1.0, 1.36, 2.0], kolmogorov) {
            #expect(abs(StatisticalTests.kolmogorovTail(lambda) - expected) < 1e-9, "λ = \(lambda)")
        }
    }

    @Test func theKSStatisticIsTheLargestGapBetweenTheEmpiricalCDFs() throws {
        // a = {1, 2, 3, 4}, b = {3, 4, 5, 6}: after 2, F_a = 0.5 and F_b = 0 → D = 0.5.
        #expect(StatisticalTests.kolmogorovSmirnov([1, 2, 3, 4], [3, 4, 5, 6]).statistic == 0.5)
        #expect(StatisticalTests.kolmogorovSmirnov([1, 2, 3], [1, 2, 3]).statistic == 0)
        #expect(StatisticalTests.kolmogorovSmirnov([1, 2, 3], [1, 2, 3]).pValue == 1)
        #expect(StatisticalTests.populationStability(expected: [0.5, 0.5], actual: [0.5, 0.5]) == 0)
        // PSI of (0.5, 0.5) → (0.25, 0.75): 0.25·ln 2 + (−0.25)·ln(2/3)·(−1)…
        let psi = StatisticalTests.populationStability(expected: [0.5, 0.5], actual: [0.25, 0.75])
        #expect(abs(psi - ((0.25 - 0.5) * log(0.25 / 0.5) + (0.75 - 0.5) * log(0.75 / 0.5))) < 1e-15)
    }
}
