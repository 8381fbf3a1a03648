import Foundation
import DatasetProfiling
import RegistryModel

/// Compares new data's profile with a reference profile, column by column. Pure: both profiles
/// are already computed, so a check on a scheduled job never needs the training data.
public enum DriftAnalysis {
    public static func compare(reference: TableProfile, current: TableProfile, thresholds: DriftThresholds) -> DriftReport {
        var results = [ColumnDrift]()
        let currentByName = Dictionary(current.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let referenceNames = Set(reference.columns.map(\.name))
        for old in reference.columns {
            guard let new = currentByName[old.name] else {
                results.append(ColumnDrift(
                    column: old.name, referenceType: old.type.rawValue, currentType: nil, test: nil, statistic: nil, pValue: nil, psi: nil,
                    referenceMissingRate: missingRate(old), currentMissingRate: nil, status: .vanished, reasons: ["the column is gone"]))
                continue
            }
            results.append(compare(old, new, thresholds: thresholds))
        }
        for new in current.columns where !referenceNames.contains(new.name) {
            results.append(ColumnDrift(
                column: new.name, referenceType: nil, currentType: new.type.rawValue, test: nil, statistic: nil, pValue: nil, psi: nil,
                referenceMissingRate: nil, currentMissingRate: missingRate(new), status: .new, reasons: ["the column is new"]))
        }
        results.sort { $0.severity != $1.severity ? $0.severity > $1.severity : $0.column < $1.column }
        return DriftReport(referenceRows: reference.rows, currentRows: current.rows, columns: results, thresholds: thresholds)
    }

    static func missingRate(_ column: ColumnProfile) -> Double {
        let total = column.count + column.missing
        return total > 0 ? Double(column.missing) / Double(total) : 0
    }

    static func isNumeric(_ kind: ColumnProfile.Kind) -> Bool { kind == .integer || kind == .number }

    private static func compare(_ old: ColumnProfile, _ new: ColumnProfile, thresholds: DriftThresholds) -> ColumnDrift {
        let oldMissing = missingRate(old), newMissing = missingRate(new)
        var reasons = [String]()
        var test: String?, statistic: Double?, pValue: Double?, psi: Double?
        var status = ColumnDrift.Status.stable
        if old.type != .empty && new.type != .empty && isNumeric(old.type) != isNumeric(new.type) {
            status = .typeChanged
            reasons.append("its type changed from \(old.type.rawValue) to \(new.type.rawValue)")
        } else if let reference = old.numeric?.sample, let sample = new.numeric?.sample, !reference.isEmpty, !sample.isEmpty {
            test = "ks"
            (statistic, pValue) = StatisticalTests.kolmogorovSmirnov(reference, sample)
            psi = numericStability(reference: reference, current: sample)
        } else if !old.top.isEmpty && !new.top.isEmpty {
            test = "chi_square"
            let (chi, degrees, index) = categorical(old, new)
            statistic = chi
            pValue = StatisticalTests.chiSquareTail(chi, degrees: degrees)
            psi = index
        }
        if let psi, status == .stable {
            if psi >= thresholds.psi {
                reasons.append("PSI \(rounded(psi)) ≥ \(rounded(thresholds.psi))")
            } else if let pValue, pValue < thresholds.alpha, psi >= thresholds.psiWithTest {
                reasons.append("\(test == "ks" ? "KS" : "χ²") p-value \(rounded(pValue)) < \(rounded(thresholds.alpha)) with PSI \(rounded(psi))")
            }
        }
        if abs(newMissing - oldMissing) >= thresholds.missingRate {
            reasons.append("missing values \(rounded(oldMissing * 100))% → \(rounded(newMissing * 100))%")
        }
        if status == .stable && !reasons.isEmpty { status = .drifted }
        return ColumnDrift(
            column: old.name, referenceType: old.type.rawValue, currentType: new.type.rawValue, test: test, statistic: statistic, pValue: pValue,
            psi: psi, referenceMissingRate: oldMissing, currentMissingRate: newMissing, status: status, reasons: reasons)
    }

    /// PSI over ten bins cut at the reference sample's deciles.
    static func numericStability(reference: [Double], current: [Double]) -> Double {
        let sorted = reference.sorted()
        var edges = [Double]()
        for decile in 1..<10 {
            let edge = Percentile.of(sorted, Double(decile) / 10)
            if edges.last != edge { edges.append(edge) }
        }
        func fractions(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: edges.count + 1)
            for value in values {
                // Bins are (edge[i-1], edge[i]]: binary search for the first edge ≥ value.
                var low = 0, high = edges.count
                while low < high {
                    let middle = (low + high) / 2
                    if edges[middle] < value { low = middle + 1 } else { high = middle }
                }
                counts[low] += 1
            }
            return counts.map { $0 / Double(values.count) }
        }
        return StatisticalTests.populationStability(expected: fractions(reference), actual: fractions(current))
    }

    /// Chi-square of the new counts against the reference's shares, over the union of both
    /// columns' top values plus "everything else"; and the PSI over the same categories.
    static func categorical(_ old: ColumnProfile, _ new: ColumnProfile) -> (chi: Double, degrees: Int, psi: Double) {
        var categories = old.top.map(\.value)
        for value in new.top.map(\.value) where !categories.contains(value) { categories.append(value) }
        func counts(_ column: ColumnProfile) -> [Double] {
            let known = Dictionary(column.top.map { ($0.value, Double($0.count)) }, uniquingKeysWith: +)
            let listed = categories.map { known[$0] ?? 0 }
            return listed + [max(0, Double(column.count) - column.top.reduce(0) { $0 + Double($1.count) })]
        }
        let expectedCounts = counts(old), observed = counts(new)
        let expectedTotal = expectedCounts.reduce(0, +), observedTotal = observed.reduce(0, +)
        guard expectedTotal > 0, observedTotal > 0 else { return (0, 0, 0) }
        var chi = 0.0
        var used = 0
        for (expected, actual) in zip(expectedCounts, observed) {
            let share = expected / expectedTotal
            if share == 0 {
                // A value the reference never had: compare it against a share of half a count.
                let floor = 0.5 / expectedTotal * observedTotal
                chi += (actual - floor) * (actual - floor) / floor
                used += 1
                continue
            }
            let expectedHere = share * observedTotal
            chi += (actual - expectedHere) * (actual - expectedHere) / expectedHere
            used += 1
        }
        let psi = StatisticalTests.populationStability(
            expected: expectedCounts.map { $0 / expectedTotal }, actual: observed.map { $0 / observedTotal })
        return (chi, max(1, used - 1), psi)
    }

    static func rounded(_ value: Double) -> String { NumberFormat.metric(value) }
}
