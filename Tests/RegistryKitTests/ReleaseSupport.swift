import Foundation
import RegistryKit
import RegistryModel
import RegistryTestSupport

/// A clock the test moves by hand, for "what was in production at that moment".
final class ManualClock: @unchecked Sendable {
    // Safe: `now` is only read and written under `lock`.
    private let lock = NSLock()
    private var now: Date

    init(_ start: Date) { now = start }

    func read() -> Date { lock.withLock { now } }
    func advance(_ seconds: TimeInterval) { lock.withLock { now += seconds } }
}

let releaser = Registrant(user: "release", host: "laptop")

extension Workspace {
    /// Registers version `number` of `model` with its own weights and the given metrics.
    @discardableResult
    func registerVersion(_ model: String = "churn", _ tag: String, metrics: [String: Double] = [:]) throws -> VersionRecord {
        try file("models/\(model)-\(tag)/weights.bin", "weights \(model) \(tag)")
        var request = self.request(model, ["models/\(model)-\(tag)"])
        request.metrics = try metrics.map { try Metric(key: $0.key, value: $0.value) }
        return try registry.register(request).version
    }

    func policy(_ text: String) throws {
        try writeFile(root + "/policy.toml", text)
    }

    @discardableResult
    func promote(_ reference: String, to alias: String, force: Bool = false, reason: String? = nil, dryRun: Bool = false) throws -> PromotionOutcome {
        try registry.promote(PromotionRequest(reference: reference, alias: alias, reason: reason, force: force, dryRun: dryRun, actor: releaser))
    }

    @discardableResult
    func rollback(_ alias: String, model: String = "churn", to target: String? = nil, reason: String? = nil, force: Bool = false) throws -> RollbackOutcome {
        try registry.rollback(RollbackRequest(model: model, alias: alias, target: target, reason: reason, force: force, actor: releaser))
    }

    /// The version number an alias points at now, or nil.
    func holder(_ alias: String, model: String = "churn") -> Int? {
        try? registry.resolve(reference: "\(model)@\(alias)").number
    }
}

/// Runs `body`, expecting a `RegistryError` of `kind`; returns it for further checks.
@discardableResult
func expectFailure<T>(_ kind: RegistryError.Kind, _ body: () throws -> T) throws -> RegistryError {
    do {
        _ = try body()
    } catch let error as RegistryError {
        guard error.kind == kind else { throw TestFailure("expected \(kind), got \(error.kind): \(error)") }
        return error
    }
    throw TestFailure("expected a \(kind) error, but it succeeded")
}
