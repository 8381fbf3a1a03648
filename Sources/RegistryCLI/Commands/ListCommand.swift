import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel
import RegistryStorage

/// What `releaseMarks` reads of a model's history: the aliases each version holds, and the
/// versions deprecated or rolled back.
typealias ReleaseMarks = (aliases: [Int: [AliasName]], deprecated: Set<Int>, rolledBack: Set<Int>)

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
              mreg list churn --where 'holdout.auc>=0.9' --label owner=risk --sort holdout.auc:desc
              mreg list churn --alias production --since 2026-01-01   # every version that served
              mreg list churn --status deprecated

            FINDING VERSIONS
              With a model name, --where KEY OP VALUE (OP one of >= <= > < = !=, on a registered \
            metric; repeat: every one), --label KEY=VALUE (a label it was registered with; repeat), \
            --status, --alias (versions that hold or ever held it), --since and --until (registered \
            at or after, before; ISO 8601) keep the versions that meet all of them; --sort orders by \
            a registered metric (versions without it last), created or version, ascending unless \
            KEY:desc. With --json, 'total' counts the versions kept; it says only at least how \
            many when several conditions are each met by more than 10,000 versions ('total_exact': \
            false), since counting them all would probe each. The note after a page gives the \
            command for the next.
            """)

    @Argument(help: "A model name: list its versions.")
    var name: String?

    @Option(name: .long, help: "How many of the newest versions to list.")
    var limit = Self.defaultLimit
    static let defaultLimit = 20

    @Flag(name: .long, help: "List every version (overrides --limit).")
    var all = false

    @Option(name: .long, help: ArgumentHelp("List the versions numbered below N: the page after one that ended at N.", valueName: "n"))
    var after: Int?

    @Option(name: .long, help: ArgumentHelp("Without a model: only the models with a version labelled KEY=VALUE; with one: only its versions registered with that label (repeat: every one).", valueName: "key=value"))
    var label: [String] = []

    @Flag(name: .long, help: "List deleted versions too (marked deleted).")
    var deleted = false

    @Option(name: .long, help: ArgumentHelp("Keep versions whose registered metric meets it, e.g. 'holdout.auc>=0.9' (repeat: every one).", valueName: "metric op value"))
    var `where`: [String] = []

    @Option(name: .long, help: ArgumentHelp("Keep versions with this status: active, deprecated, rolled_back or deleted.", valueName: "status"))
    var status: String?

    @Option(name: .long, help: ArgumentHelp("Keep versions that hold or ever held this alias.", valueName: "alias"))
    var alias: String?

    @Option(name: .long, help: ArgumentHelp("Keep versions registered at or after this ISO 8601 time.", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Keep versions registered before this ISO 8601 time.", valueName: "time"))
    var until: String?

    @Option(name: .long, help: ArgumentHelp("Order by a registered metric (holdout.auc), created or version; add :desc to reverse.", valueName: "key[:desc]"))
    var sort: String?

    @OptionGroup var global: GlobalOptions

    /// How many metrics a version row shows; `show` has them all.
    static let headlineMetrics = 3

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let after, after < 1 { throw ValidationError("--after must be a version number (1 or more)") }
        let versionFilters = !`where`.isEmpty || status != nil || alias != nil || since != nil || until != nil || sort != nil
        if versionFilters, name == nil { throw ValidationError("--where, --status, --alias, --since, --until and --sort find one model's versions: name the model (mreg list NAME …)") }
        if after != nil, name == nil { throw ValidationError("--after pages through one model's versions: name the model (mreg list NAME --after N)") }
        if deleted, name == nil { throw ValidationError("--deleted lists one model's deleted versions: name the model (mreg list NAME --deleted)") }
    }

    /// Which version holds each alias now.
    static func holders(_ marks: ReleaseMarks) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: marks.aliases.flatMap { number, aliases in aliases.map { ($0.value, number) } })
    }

    /// The document's rows for these versions; `evaluations` are theirs, oldest first.
    static func entries(_ name: String, versions: [VersionSummary], marks: ReleaseMarks, evaluations: [EvaluationRecord]) -> [VersionListDocument.Version] {
        // The latest evaluation on a dataset key wins (evaluations come oldest first).
        var evaluated = [Int: [String: VersionListDocument.Evaluated]]()
        for evaluation in evaluations {
            for metric in evaluation.metrics {
                evaluated[evaluation.version.number, default: [:]]["\(evaluation.datasetKey).\(metric.name)"] = .init(
                    value: metric.value, ciLow: metric.interval?.lowerBound, ciHigh: metric.interval?.upperBound)
            }
        }
        return versions.map {
            .init(reference: "\(name)@\($0.number)", version: $0.number, digest: $0.manifestDigest.description, createdAt: Timestamp.format($0.createdAt),
                  gitCommit: $0.gitCommit, gitDirty: $0.gitDirty, files: $0.fileCount, size: $0.totalSize,
                  metrics: Dictionary(uniqueKeysWithValues: $0.metrics.map { ($0.key, $0.value) }), evaluated: evaluated[$0.number] ?? [:],
                  aliases: marks.aliases[$0.number]?.map(\.value) ?? [],
                  status: $0.deleted ? "deleted" : status($0.number, marks: marks))
        }
    }

    /// A version's status as `list` names it.
    static func status(_ number: Int, marks: ReleaseMarks) -> String {
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

    /// The versions `list NAME` keeps, from the options; each malformed one a usage error.
    func filter() throws(RegistryError) -> VersionFilter {
        var filter = VersionFilter()
        filter.deleted = deleted
        for condition in `where` {
            guard let comparison = VersionFilter.MetricCondition.Comparison.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count })
                .first(where: { condition.contains($0.rawValue) }),
                let range = condition.range(of: comparison.rawValue),
                let value = Double(condition[range.upperBound...].trimmingCharacters(in: .whitespaces))
            else {
                throw RegistryError(.usage, "--where '\(condition)' is not METRIC OP NUMBER", hint: "for example --where 'holdout.auc>=0.9' (OP: >= <= > < = !=)")
            }
            let key = condition[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let metric: Metric
            do throws(MetricError) {
                metric = try Metric(key: key, value: value)
            } catch {
                throw RegistryError(.usage, "--where '\(condition)': \(error.description)", hint: "name a registered metric as DATASET.NAME, like holdout.auc")
            }
            filter.metrics.append(.init(dataset: metric.dataset, name: metric.name, comparison: comparison, value: value))
        }
        for text in label {
            let (key, value) = try InputParsing.keyValue(text, flag: "--label")
            filter.labels.append((key, value))
        }
        if let status {
            guard let chosen = VersionFilter.Status(rawValue: status) else {
                throw RegistryError(.usage, "--status '\(status)' is not a status", hint: "use active, deprecated, rolled_back or deleted")
            }
            filter.status = chosen
        }
        if let alias {
            do throws(NameError) {
                filter.everHeld = try AliasName(alias)
            } catch {
                throw RegistryError(.usage, "--alias: \(error.description)")
            }
        }
        filter.since = try since.map { (text) throws(RegistryError) in try InputParsing.time(text, flag: "--since") }
        filter.until = try until.map { (text) throws(RegistryError) in try InputParsing.time(text, flag: "--until") }
        if let sort {
            let descending = sort.hasSuffix(":desc")
            let key = descending ? String(sort.dropLast(5)) : sort.hasSuffix(":asc") ? String(sort.dropLast(4)) : sort
            switch key {
            case "version": filter.order = descending ? .number : .numberAscending
            case "created": filter.order = .created(descending: descending)
            default:
                do throws(MetricError) {
                    let metric = try Metric(key: key, value: 0)
                    filter.order = .metric(dataset: metric.dataset, name: metric.name, descending: descending)
                } catch {
                    throw RegistryError(.usage, "--sort '\(sort)': \(error.description)", hint: "sort by a registered metric (holdout.auc), created or version, with :desc to reverse")
                }
            }
        }
        return filter
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        if let name {
            try listVersions(of: name, registry)
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

    /// How many versions `--all` reads at a time: a model of a million versions is printed a
    /// page after another, never held whole.
    static let streamedPage = 1000

    private func listVersions(of name: String, _ registry: Registry) throws(RegistryError) {
        var filter = try filter()
        // --all in number order streams; a sorted --all is one query (a sort has no cursor).
        let streamed = all && filter.order == .number
        // The table prints no total, only whether more versions follow the page: it asks for one
        // version more than it shows instead of counting all the filter keeps (a filtered count
        // visits every version of a model, a million in issue 12's registry).
        let table = !global.json
        if table { filter.counted = false }
        let pageSize = streamed ? Self.streamedPage : all ? nil : table ? min(limit, Int.max - 1) + 1 : limit
        var (versions, total, totalIsExact) = try registry.versions(of: name, matching: filter, limit: pageSize, after: after)
        let more = table && !all && versions.count > limit
        if more { versions.removeLast() }
        let noneKept = versions.isEmpty
        let marks = try registry.releaseMarks(model: name)
        let header = ["VERSION", "DIGEST", "CREATED", "COMMIT", "SIZE", "ALIASES", "STATUS", "METRICS"]
        var widths: [Int]?
        var array: DocumentEncoder.StreamedArray?
        if global.json {
            // What `list NAME --json` prints, and `mreg serve` answers on `/v1/list?model=NAME`.
            let head = VersionListDocument(model: name, total: total, totalExact: totalIsExact, aliases: Self.holders(marks), versions: [])
            let (opened, text) = try Self.encoded { try DocumentEncoder.StreamedArray.open(head, arrayKey: "versions") }
            array = opened
            Console.write(Data(text.utf8), error: false)
        }
        filter.counted = false
        while true {
            if array != nil {
                let evaluations = try registry.evaluations(model: name, numbers: versions.map(\.number))
                let entries = Self.entries(name, versions: versions, marks: marks, evaluations: evaluations)
                let text = try Self.encoded { try array!.elements(entries) }
                Console.write(Data(text.utf8), error: false)
            } else if !versions.isEmpty || widths == nil {
                let rows = versions.map { Self.row($0, marks: marks) }
                // Columns as wide as the first page needs; a wider cell later widens its own row only.
                if widths == nil {
                    widths = Format.widths([header] + rows)
                    Console.out(Format.row(header, widths: widths!))
                }
                for row in rows { Console.out(Format.row(row, widths: widths!)) }
            }
            guard streamed, versions.count == Self.streamedPage, let oldest = versions.last?.number else { break }
            versions = try registry.versions(of: name, matching: filter, limit: Self.streamedPage, after: oldest).versions
        }
        if let array {
            Console.write(Data(array.close.utf8), error: false)
            return
        }
        if noneKept { note("no version of \(name)\(after.map { " below \($0)" } ?? "") is kept by these options") }
        if more, sort == nil, let oldest = versions.last?.number {
            note("(older versions not shown; the next page: \(nextPage(of: name, after: oldest)), or --all)")
        }
    }

    /// The command that lists the page after this one: these options again, from `after` (the
    /// registry or server is the caller's, as for the command just run).
    func nextPage(of name: String, after: Int) -> String {
        var words = ["mreg", "list", name]
        words += label.flatMap { ["--label", $0] } + `where`.flatMap { ["--where", $0] }
        for (flag, value) in [("--status", status), ("--alias", alias), ("--since", since), ("--until", until)] {
            if let value { words += [flag, value] }
        }
        if deleted { words.append("--deleted") }
        if limit != Self.defaultLimit { words += ["--limit", "\(limit)"] }
        return (words + ["--after", "\(after)"]).map(\.shellWord).joined(separator: " ")
    }

    private static func encoded<T>(_ encode: () throws -> T) throws(RegistryError) -> T {
        do { return try encode() } catch {
            throw RegistryError(.internal, "the JSON output could not be encoded (\(error)); this is a bug in mreg, please report it")
        }
    }

    /// One version's line in the table.
    static func row(_ version: VersionSummary, marks: ReleaseMarks) -> [String] {
        let commit = version.gitCommit.map { String($0.prefix(10)) + (version.gitDirty ? "+dirty" : "") } ?? "-"
        let metrics = version.metrics.prefix(headlineMetrics).map { "\($0.key)=\(Format.metric($0.value))" }
        let more = version.metrics.count > headlineMetrics ? " …" : ""
        return ["\(version.number)", version.manifestDigest.short, Timestamp.format(version.createdAt), commit,
                Format.bytes(version.totalSize), marks.aliases[version.number]?.map(\.value).joined(separator: ",").nonEmpty ?? "-",
                version.deleted ? "deleted" : status(version.number, marks: marks), metrics.joined(separator: " ") + more]
    }
}
