/// Where a metric value a gate reads came from: gates can demand numbers mreg computed itself,
/// since a number typed by hand passes a floor as easily as a measured one.
public enum MetricProvenance: String, Sendable, Codable, CaseIterable {
    /// Computed by mreg from predictions it stored (`evaluate --predictions`).
    case computed
    /// Given to `evaluate` as a number (`--metric`, `--metrics`).
    case reported
    /// Given at registration (`register --metric`, `--metrics`), part of the manifest.
    case registered

    /// How a report says it.
    public var phrase: String {
        switch self {
        case .computed: "computed by mreg from stored predictions"
        case .reported: "given to 'mreg evaluate' as a number"
        case .registered: "given at registration"
        }
    }
}
