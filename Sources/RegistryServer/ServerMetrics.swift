import Foundation
import Prometheus
import RegistryKit

/// What `mreg serve` counts, in Prometheus's text format on `GET /metrics`: requests and their
/// latency by route and status, the registry's own events (promotions by outcome, rollbacks,
/// registrations, failed verifications), bytes received and answered, and how many workers are
/// busy. Labels take only bounded values (the routes' paths, `unknown` for any other), so no
/// client can make the series grow without end.
public final class ServerMetrics: RegistryObserver {
    private let registry = PrometheusCollectorRegistry()
    private let busyWorkers: Gauge
    private let bytesOut: Counter
    private let bytesIn: Counter
    private let bytesArriving: Gauge

    public init() {
        busyWorkers = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "workers_busy", unitName: "", helpText: "Workers running a registry call now (each holds a database connection)."))
        bytesOut = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "response", unitName: "bytes_total", helpText: "Bytes of response bodies sent."))
        bytesIn = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "uploaded", unitName: "bytes_total", helpText: "Bytes of blob uploads received."))
        bytesArriving = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "mreg", metricName: "bodies_arriving", unitName: "bytes",
                helpText: "Bytes received so far of uploads and attached files whose body is still arriving."))
    }

    /// A request answered.
    func request(route: String, method: String, status: Int, seconds: Double, bytes: Int) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", subsystem: "http", metricName: "requests", unitName: "total", helpText: "Requests answered, by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "mreg", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "Time to answer a request, by route and method."),
            labels: [("route", route), ("method", method)], buckets: Self.buckets
        ).record(Duration.nanoseconds(Int64(seconds * 1e9)))
        bytesOut.increment(by: Int64(bytes))
    }

    /// A call to a cacheable route (`show`), answered from memory or not.
    func answerCacheLookup(hit: Bool) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "mreg", metricName: "answer_cache_lookups", unitName: "total",
                helpText: "Calls to routes whose answers are remembered (show), by outcome: hit (answered from memory) or miss."),
            labels: [("outcome", hit ? "hit" : "miss")]
        ).increment()
    }

    /// A promotion, by outcome: moved, forced, refused, unchanged, dry_run.
    public func promoted(_ outcome: PromotionOutcome) {
        let label = switch outcome.result {
        case .moved(let recorded): recorded.event.forced ? "forced" : "moved"
        case .unchanged: "unchanged"
        case .refused: "refused"
        case .dryRun: "dry_run"
        }
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "promotions", unitName: "total", helpText: "Promotions asked for, by outcome."),
            labels: [("outcome", label)]
        ).increment()
    }

    /// A rollback that moved its alias.
    public func rolledBack(_ outcome: RollbackOutcome) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "rollbacks", unitName: "total", helpText: "Rollbacks that moved their alias.")
        ).increment()
    }

    /// A registration, new or an identical retry.
    public func registered(_ outcome: RegistrationOutcome) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "registrations", unitName: "total", helpText: "Registrations, by outcome (created, existing)."),
            labels: [("outcome", outcome.created ? "created" : "existing")]
        ).increment()
    }

    /// A verification; one that found problems is counted.
    public func verified(_ report: VerifyReport) {
        guard !report.isIntact else { return }
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "mreg", metricName: "verify_failures", unitName: "total", helpText: "Verifications that found problems.")
        ).increment()
    }

    /// A request log line dropped because stderr's reader fell behind.
    func droppedLogLine() {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "mreg", metricName: "log_lines_dropped", unitName: "total", helpText: "Request log lines dropped because stderr's reader fell behind.")
        ).increment()
    }

    /// Bytes of an upload received.
    func received(bytes: Int64) { bytesIn.increment(by: bytes) }

    /// Part of a body that is still arriving, and the whole of it once it ended (came, broke off or was refused).
    func arriving(bytes: Int) { bytesArriving.increment(by: Double(bytes)) }
    func arrived(bytes: Int64) { bytesArriving.decrement(by: Double(bytes)) }

    func workerStarted() { busyWorkers.increment() }
    func workerFinished() { busyWorkers.decrement() }

    /// The exposition text.
    func text() -> String { registry.emitToString() }

    static let buckets: [Duration] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { Duration.nanoseconds(Int64($0 * 1e9)) }
}
