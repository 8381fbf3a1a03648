import RegistryModel

/// The verdict of one gate.
public enum GateOutcome: String, Sendable, Codable {
    case passed
    case failed
    case notApplicable = "not_applicable"
}

/// One line of a promotion report: which gate, its verdict, and the values it compared.
public struct GateResult: Sendable, Equatable {
    /// The policy key (`min`, `require_clean_git`, …), or `status` for the built-in check.
    public let gate: String
    /// The metric a metric gate looked at.
    public let metric: String?
    public let outcome: GateOutcome
    public let actual: JSONValue?
    public let required: JSONValue?
    /// Where the metric value a metric gate read came from.
    public let provenance: MetricProvenance?
    /// One phrase a person reads: "0.78 is below the floor 0.80".
    public let detail: String

    public init(
        gate: String, metric: String? = nil, outcome: GateOutcome, actual: JSONValue? = nil, required: JSONValue? = nil,
        provenance: MetricProvenance? = nil, detail: String
    ) {
        self.provenance = provenance
        self.gate = gate
        self.metric = metric
        self.outcome = outcome
        self.actual = actual
        self.required = required
        self.detail = detail
    }

    /// `min holdout.auc`, `require_clean_git`.
    public var label: String { metric.map { "\(gate) \($0)" } ?? gate }

    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["gate": .string(gate), "outcome": .string(outcome.rawValue), "detail": .string(detail)]
        if let metric { object["metric"] = .string(metric) }
        if let actual { object["actual"] = actual }
        if let required { object["required"] = required }
        if let provenance { object["provenance"] = .string(provenance.rawValue) }
        return .object(object)
    }
}

/// Every gate's verdict for one promotion, in evaluation order.
public struct GateReport: Sendable, Equatable {
    public let results: [GateResult]

    public init(results: [GateResult]) {
        self.results = results
    }

    public var failures: [GateResult] { results.filter { $0.outcome == .failed } }
    public var passed: Bool { failures.isEmpty }

    /// The report as recorded in an alias event (and so covered by the ledger's hash chain).
    public var jsonValue: JSONValue { .array(results.map(\.jsonValue)) }
}
