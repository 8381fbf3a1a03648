import RegistryModel

/// How reports say a version's marks (the store keeps only the data).
extension VersionStatus {
    /// "from production: latency regression" when the version was rolled back from `alias`.
    public func rollback(from alias: String) -> String? {
        guard let reason = rolledBackFrom[alias] else { return nil }
        return "from \(alias)" + (reason.map { ": \($0)" } ?? "")
    }

    /// Every rolled-back mark, for `show` and `list`; nil when there is none.
    public var rollback: String? {
        rolledBackFrom.isEmpty ? nil : rolledBackFrom.keys.sorted().compactMap { rollback(from: $0) }.joined(separator: "; ")
    }
}
