import ArgumentParser
import Evaluation
import Foundation
import RegistryKit
import RegistryModel

/// Evaluations as people read them.
enum EvaluationText {
    static func lines(_ record: EvaluationRecord) -> [String] {
        let width = record.metrics.map { $0.name.count + record.datasetKey.count + 1 }.max() ?? 0
        var lines = record.metrics.map { metric in
            let key = "\(record.datasetKey).\(metric.name)".padding(toLength: width, withPad: " ", startingAt: 0)
            let interval = metric.interval.map { "  [\(Format.metric($0.lowerBound)), \(Format.metric($0.upperBound))]" } ?? ""
            return "  \(key)  \(Format.metric(metric.value))\(interval)"
        }
        if let confusion = record.details.objectValue?["confusion"]?.objectValue {
            func count(_ key: String) -> String { if case .integer(let value)? = confusion[key] { "\(value)" } else { "?" } }
            lines.append("  confusion at \(Format.metric(confusion["threshold"].flatMap { if case .number(let t) = $0 { t } else { nil } } ?? 0.5)): "
                + "TP \(count("true_positive")), FP \(count("false_positive")), FN \(count("false_negative")), TN \(count("true_negative"))")
        }
        if let slices = record.details.objectValue?["slices"]?.objectValue {
            if case .number(let ratio)? = slices["disparate_impact"] { lines.append("  disparate impact across slices: \(Format.metric(ratio))") }
            if let gaps = slices["largest_gap"]?.objectValue {
                let text = gaps.keys.sorted().compactMap { key -> String? in
                    if case .number(let gap)? = gaps[key] { return "\(key) \(Format.metric(gap))" }
                    return nil
                }
                lines.append("  largest gap between slices: " + text.joined(separator: ", "))
            }
        }
        return lines
    }
}
