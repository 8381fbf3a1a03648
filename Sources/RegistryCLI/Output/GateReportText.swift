import Policy

/// The promotion report as people read it: one line per gate.
enum GateReportText {
    static func lines(_ report: GateReport) -> [String] {
        let width = report.results.map(\.label.count).max() ?? 0
        return report.results.map { result in
            let verdict = switch result.outcome {
            case .passed: "PASS"
            case .failed: "FAIL"
            case .notApplicable: "N/A "
            }
            return "  \(verdict)  \(result.label.padding(toLength: width, withPad: " ", startingAt: 0))  \(result.detail)"
        }
    }
}
