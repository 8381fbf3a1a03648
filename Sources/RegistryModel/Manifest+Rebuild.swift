extension Manifest {
    /// The manifest a version's database record describes: what `verify` and every checked read
    /// hash and compare with the manifest digest recorded at registration.
    public init(rebuiltFrom record: VersionRecord, format: Format) {
        self.init(
            model: record.model, files: record.files, params: record.params, datasets: record.datasets, metrics: record.metrics,
            labels: record.labels, description: record.description, parent: record.parent?.manifestDigest, git: record.git, format: format)
    }
}
