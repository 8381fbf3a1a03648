/// Names one metric goes by in different libraries, so a gate that names a metric a version
/// lacks can point at the one it has (`auc` in the policy, `roc_auc` from scikit-learn).
public enum MetricSynonyms {
    static let groups: [Set<String>] = [
        ["auc", "roc_auc", "auroc", "roc_auc_score"],
        ["ap", "pr_auc", "auprc", "average_precision", "average_precision_score"],
        ["accuracy", "acc"],
        ["f1", "f1_score"],
        ["log_loss", "logloss", "cross_entropy", "bce"],
        ["rmse", "root_mean_squared_error"],
        ["mse", "mean_squared_error"],
        ["mae", "mean_absolute_error"],
        ["mape", "mean_absolute_percentage_error"],
        ["r2", "r2_score", "r_squared"],
        ["recall", "tpr", "sensitivity", "true_positive_rate"],
        ["precision", "ppv"],
        ["brier", "brier_score"],
    ]

    /// Keys among `available` that name the same metric as `key` on the same dataset.
    public static func alternatives(for key: String, among available: some Collection<String>) -> [String] {
        let (dataset, name) = split(key)
        guard let group = groups.first(where: { $0.contains(name.lowercased()) }) else { return [] }
        return available.filter { candidate in
            let (otherDataset, otherName) = split(candidate)
            return otherDataset == dataset && otherName != name && group.contains(otherName.lowercased())
        }.sorted()
    }

    private static func split(_ key: String) -> (dataset: String, name: String) {
        guard let dot = key.firstIndex(of: ".") else { return ("", key) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }
}
