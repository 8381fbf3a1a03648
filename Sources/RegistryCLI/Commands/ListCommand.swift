import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct ListCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List models, or the versions of one model.",
        discussion: """
            EXAMPLES
              mreg list            # every model with its latest version
              mreg list --label owner=risk   # the models with a version labelled so
              mreg list churn      # churn's 20 newest versions, with headline metrics
              mreg list churn --all
              mreg list churn --after 80   # the 20 versions before churn@80 (the next page)
              mreg list churn --deleted    # deleted versions too
            """)

    @Argument(help: "A model name: list its versions.")
    var name: String?

    @Option(name: .long, help: "How many of the newest versions to list.")
    var limit = 20

    @Flag(name: .long, help: "List every version (overrides --limit).")
    var all = false

    @Option(name: .long, help: ArgumentHelp("List the versions numbered below N: the page after one that ended at N.", valueName: "n"))
    var after: Int?

    @Option(name: .long, help: ArgumentHelp("List only the models with a version labelled KEY=VALUE (repeat: every one).", valueName: "key=value"))
    var label: [String] = []

    @Flag(name: .long, help: "List deleted versions too (marked deleted).")
    var deleted = false

    @OptionGroup var global: GlobalOptions

    /// How many metrics a version row shows; `show` has them all.
    static let headlineMetrics = 3

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let after, after < 1 { throw ValidationError("--after must be a version number (1 or more)") }
        if !label.isEmpty, name != nil { throw ValidationError("--label chooses among models: drop the model name (mreg list --label KEY=VALUE)") }
        if after != nil, name == nil { throw ValidationError("--after pages through one model's versions: name the model (mreg list NAME --after N)") }
        if deleted, name == nil { throw ValidationError("--deleted lists one model's deleted versions: name the model (mreg list NAME --deleted)") }
    }

    /// What `list NAME --json` prints, and `mreg serve` answers on `/v1/list?model=NAME`.
    static func versionsDocument(
        _ name: String, versions: [VersionSummary], total: Int, marks: (aliases: [Int: [AliasName]], deprecated: Set<Int>, rolledBack: Set<Int>),
        evaluations: [EvaluationRecord]
    ) -> VersionListDocument {
        // The latest evaluation on a dataset key wins (evaluations come oldest first).
        var evaluated = [Int: [String: VersionListDocument.Evaluated]]()
        for evaluation in evaluations {
            for metric in evaluation.metrics {
                evaluated[evaluation.version.number, default: [:]]["\(evaluation.datasetKey).\(metric.name)"] = .init(
                    value: metric.value, ciLow: metric.interval?.lowerBound, ciHigh: metric.interval?.upperBound)
            }
        }
        let holders = marks.aliases.flatMap { number, aliases in aliases.map { ($0.value, number) } }
        return VersionListDocument(model: name, total: total, aliases: Dictionary(uniqueKeysWithValues: holders), versions: versions.map {
            .init(reference: "\(name)@\($0.number)", version: $0.number, digest: $0.manifestDigest.description, createdAt: Timestamp.format($0.createdAt),
                  gitCommit: $0.gitCommit, gitDirty: $0.gitDirty, files: $0.fileCount, size: $0.totalSize,
                  metrics: Dictionary(uniqueKeysWithValues: $0.metrics.map { ($0.key, $0.value) }), evaluated: evaluated[$0.number] ?? [:],
                  aliases: marks.aliases[$0.number]?.map(\.value) ?? [],
                  status: $0.deleted ? "deleted" : status($0.number, marks: marks))
        })
    }

    /// A version's status as `list` names it.
    static func status(_ number: Int, marks: (aliases: [Int: [AliasName]], deprecated: Set<Int>, rolledBack: Set<Int>)) -> String {
        marks.deprecated.contains(number) ? "deprecated" : marks.rolledBack.contains(number) ? "rolled_back" : "active"
    }

    /// What `list --json` prints, and `mreg serve` answers on `/v1/list`.
    static func modelsDocument(_ models: [ModelSummary], aliases: [ModelName: [AliasName: Int]]) -> ModelListDocument {
        ModelListDocument(models: models.map {
            .init(name: $0.name.value, versions: $0.versionCount, latestVersion: $0.latestVersion,
                  latestCreatedAt: $0.latestCreatedAt.map(Timestamp.format),
                  aliases: Dictionary(uniqueKeysWithValues: (aliases[$0.name] ?? [:]).map { ($0.key.value, $0.value) }))
        })
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        if let name {
            let (versions, total) = try registry.versions(of: name, limit: all ? nil : limit, after: after, deleted: deleted)
            let marks = try registry.releaseMarks(model: name)
            func status(_ number: Int) -> String { Self.status(number, marks: marks) }
            func aliases(_ number: Int) -> [String] { marks.aliases[number]?.map(\.value) ?? [] }
            if global.json {
                let numbers = versions.last.flatMap { oldest in versions.first.map { oldest.number...$0.number } }
                let evaluations = try numbers.map { (numbers) throws(RegistryError) in try registry.evaluations(model: name, numbers: numbers) } ?? []
                Console.json(Self.versionsDocument(name, versions: versions, total: total, marks: marks, evaluations: evaluations))
                return
            }
            Console.out(Format.table(
                ["VERSION", "DIGEST", "CREATED", "COMMIT", "SIZE", "ALIASES", "STATUS", "METRICS"],
                versions.map { version in
                    let commit = version.gitCommit.map { String($0.prefix(10)) + (version.gitDirty ? "+dirty" : "") } ?? "-"
                    let metrics = version.metrics.prefix(Self.headlineMetrics).map { "\($0.key)=\(Format.metric($0.value))" }
                    let more = version.metrics.count > Self.headlineMetrics ? " …" : ""
                    return ["\(version.number)", version.manifestDigest.short, Timestamp.format(version.createdAt), commit,
                            Format.bytes(version.totalSize), aliases(version.number).joined(separator: ",").nonEmpty ?? "-",
                            version.deleted ? "deleted" : status(version.number), metrics.joined(separator: " ") + more]
                }))
            if let oldest = versions.last?.number, oldest > 1 {
                note("(older versions not shown; the next page: mreg list \(name) --after \(oldest), or --all)")
            }
            return
        }
        // Through the server, only the models the token is granted.
        let models = try registry.models(labelled: label).filter { invocation.maySee(model: $0.name.value) }
        let aliases = try registry.allAliases()
        func aliasMap(_ model: ModelName) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: (aliases[model] ?? [:]).map { ($0.key.value, $0.value) })
        }
        if global.json {
            Console.json(Self.modelsDocument(models, aliases: aliases))
            return
        }
        if models.isEmpty, !label.isEmpty {
            note("no model has a version labelled \(label.joined(separator: " and "))")
            return
        }
        if models.isEmpty {
            note("the registry is empty; add a model with 'mreg register NAME PATH'")
            return
        }
        Console.out(Format.table(
            ["MODEL", "VERSIONS", "LATEST", "UPDATED", "ALIASES"],
            models.map { model in
                let held = aliasMap(model.name).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                return ["\(model.name)", "\(model.versionCount)", model.latestVersion.map { "\($0)" } ?? "-",
                        model.latestCreatedAt.map(Timestamp.format) ?? "-", held.isEmpty ? "-" : held]
            }))
    }
}
