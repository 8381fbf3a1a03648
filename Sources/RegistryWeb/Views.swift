import Foundation
import RegistryDocuments
import RegistryModel

/// What the templates show, worked out from the twins: names as the templates use them,
/// numbers and dates formatted, links made.
struct ModelsView {
    struct Row {
        let name: String
        let href: String
        let versions: Int
        let latest: String
        let updated: String
        let aliases: [AliasMark]
    }
    let query: String
    let rows: [Row]
    let empty: String

    static func words(_ query: String) -> [String] { query.split(whereSeparator: \.isWhitespace).map(String.init) }

    /// `labelled`: the list was already narrowed to the models with the query's labels.
    init(_ list: ModelListDocument, query: String, labelled: Bool) {
        self.query = query
        let needles = Self.words(query).filter { !$0.contains("=") }.map { $0.lowercased() }
        rows = list.models.filter { model in needles.allSatisfy { model.name.lowercased().contains($0) } }.map { model in
            Row(
                name: model.name, href: Link.model(model.name), versions: model.versions, latest: model.latestVersion.map { "v\($0)" } ?? "–",
                updated: model.latestCreatedAt.map(Format.when) ?? "–",
                aliases: model.aliases.sorted { $0.key < $1.key }.map { AliasMark(name: $0.key, version: $0.value, href: Link.version(model.name, $0.value)) })
        }
        empty = list.models.isEmpty && !labelled ? "The registry is empty: register a model with 'mreg register NAME PATH'." : "No model matches “\(query)”."
    }
}

struct AliasMark {
    let name: String
    let version: Int
    let href: String
}

struct ModelView {
    /// Versions per page: enough to compare, few enough to load at once at any model size.
    static let pageSize = 50
    /// Alias moves shown on the page, newest first.
    static let timelineLength = 50
    /// Metric columns shown (the version page has them all).
    static let metricColumns = 6

    struct Row {
        let number: Int
        let href: String
        let digest: String
        let created: String
        let commit: String
        let bytes: Int64
        let size: String
        let status: String
        let aliases: [String]
        let metrics: [String]
    }
    struct Moment {
        let kind: String
        let at: String
        let when: String
        let action: String
        let alias: String?
        let to: Int?
        let toHref: String?
        let from: Int?
        let actor: String
        let forced: Bool
        let reason: String?
    }
    struct Chart {
        let name: String
        let svg: String
        let marked: Bool
    }

    let name: String
    let total: Int
    let first: Int
    let last: Int
    let aliases: [AliasMark]
    let metricNames: [String]
    let rows: [Row]
    let newer: String?
    let older: String?
    let timeline: [Moment]
    let charts: [Chart]
    /// The release forms (rollback) are shown to a token that may use them; the server checks anyway.
    let releases: Bool
    let formKey: String
    let model: String
    let modelHref: String
    /// The moment asked about, as the date picker shows it, and what the aliases named then.
    let atInput: String
    let then: Then?

    struct Then {
        struct Holder {
            let alias: String
            let reference: String
            let href: String?
            let since: String
        }
        let when: String
        let holders: [Holder]
    }

    /// A date picker's `2026-11-02T09:30` (or with seconds) as the UTC instant `history --at` takes.
    static func instant(_ input: String) -> String? {
        let pattern = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?)?$/
        guard input.wholeMatch(of: pattern) != nil else { return input.hasSuffix("Z") ? input : nil }
        if input.count == 10 { return input + "T00:00:00Z" }
        return input + (input.count == 16 ? ":00Z" : "Z")
    }

    /// Every metric of the page, and whether its column is shown (the chooser's checkboxes).
    struct Choice {
        let name: String
        let shown: Bool
    }
    let choices: [Choice]
    let after: Int?

    init(_ list: VersionListDocument, history: HistoryDocument, after: Int?, at: AliasesAtDocument?, chosen: [String], viewer: WebUI.Viewer) {
        self.after = after
        name = list.model
        model = list.model
        modelHref = Link.model(list.model)
        atInput = at.map { String($0.at.prefix(19)) } ?? ""
        then = at.map { at in
            Then(when: Format.when(at.at), holders: at.aliases.map { holder in
                Then.Holder(alias: holder.alias, reference: holder.version?.reference ?? "", href: holder.version.map { Link.version(list.model, $0.version) },
                       since: Format.when(holder.since))
            })
        }
        releases = viewer.releases
        formKey = viewer.formKey
        total = list.total
        let versions = list.versions
        first = versions.first?.version ?? 0
        last = versions.last?.version ?? 0
        aliases = list.aliases.sorted { $0.key < $1.key }.map { AliasMark(name: $0.key, version: $0.value, href: Link.version(list.model, $0.value)) }
        // Registered metrics first, then those computed by `evaluate` (which carry intervals).
        let registered = Set(versions.flatMap(\.metrics.keys))
        let every = registered.sorted() + Set(versions.flatMap(\.evaluated.keys)).subtracting(registered).sorted()
        let picked = every.filter(chosen.contains)
        let names = picked.isEmpty ? Array(every.prefix(Self.metricColumns)) : picked
        choices = every.map { Choice(name: $0, shown: names.contains($0)) }
        metricNames = names
        func value(_ version: VersionListDocument.Version, _ name: String) -> Double? { version.metrics[name] ?? version.evaluated[name]?.value }
        rows = versions.map { version in
            Row(
                number: version.version, href: Link.version(list.model, version.version), digest: Format.shortDigest(version.digest),
                created: Format.when(version.createdAt), commit: version.gitCommit.map { String($0.prefix(10)) + (version.gitDirty ? "+dirty" : "") } ?? "–",
                bytes: version.size, size: Format.bytes(version.size), status: version.status, aliases: version.aliases,
                metrics: names.map { value(version, $0).map(Format.number) ?? "–" })
        }
        // Newest first: "newer" goes back towards the latest, "older" continues after the last row.
        let model = Link.model(list.model)
        // Numbers are gap-free, so the page before this one starts `pageSize` above its first row
        // (past the latest, that is simply the newest page).
        newer = after == nil ? nil : "\(model)?after=\(first + Self.pageSize + 1)"
        older = (versions.last?.version).flatMap { $0 > 1 ? "\(model)?after=\($0)" : nil }
        let production = Set(history.events.filter { $0.alias == "production" }.compactMap { $0.to?.version })
        timeline = history.events.map { event in
            Moment(
                kind: event.action == "rollback" ? "rollback" : (event.forced == true ? "forced" : event.action), at: event.at, when: Format.when(event.at),
                action: event.action, alias: event.alias, to: event.to?.version, toHref: event.to.map { Link.version(list.model, $0.version) },
                from: event.from?.version, actor: Format.actor(event.actor), forced: event.forced == true, reason: event.reason)
        }
        charts = names.compactMap { metric in
            let points = versions.reversed().compactMap { version in
                value(version, metric).map { value in
                    let interval = version.metrics[metric] == nil ? version.evaluated[metric] : nil
                    return MetricChart.Point(version: version.version, value: value, low: interval?.ciLow, high: interval?.ciHigh)
                }
            }
            guard points.count >= 2 else { return nil }
            let marked = points.contains { production.contains($0.version) }
            return Chart(name: metric, svg: MetricChart.svg(metric: metric, points: points, marked: production), marked: marked)
        }
    }
}

struct VersionView {
    struct Parent {
        let reference: String
        let href: String
    }
    struct Label {
        let key: String
        let value: String
    }
    struct Git {
        let commit: String
        let branch: String?
        let dirty: Bool
        let author: String
        let committed: String
        let message: String
        let changedPaths: [String]
    }
    struct Metric {
        let name: String
        let value: String
    }
    struct Evaluation {
        struct Row {
            let dataset: String
            let name: String
            let value: String
            let interval: String
            let when: String
        }
        /// An evaluation's metrics per group of its slice column (`evaluate --slice`).
        struct Slices {
            struct Group {
                let value: String
                let count: String
                let metrics: [String]
                let positiveRate: String
            }
            let title: String
            let metricNames: [String]
            let groups: [Group]
            let gaps: [String]
            let disparateImpact: String?
        }
        let slices: Slices?
        let metrics: [Row]
    }
    struct File {
        let path: String
        let executable: Bool
        let bytes: Int64
        let size: String
        let digest: String
    }
    struct Dataset {
        let role: String
        let source: String
        let files: Int
        let size: String
        let digest: String
    }
    /// A table of a dataset and its columns' statistics, as `dataset show` prints them.
    struct Table {
        struct Column {
            let name: String
            let type: String
            let missing: String
            let distinct: String
            let min: String
            let mean: String
            let max: String
            let std: String
            let top: String
        }
        let role: String
        let path: String
        let summary: String
        let columns: [Column]
    }
    struct Signature {
        let key: String
        let fingerprint: String
        let state: String
        let when: String
        let by: String
    }

    let reference: String
    let status: String
    let statusNote: String?
    let aliases: [String]
    let digest: String
    let size: String
    let created: String
    let registeredBy: String
    let description: String?
    let parent: Parent?
    let labels: [Label]
    let git: Git?
    let metrics: [Metric]
    let evaluations: [Evaluation]
    let params: String
    let files: [File]
    let datasets: [Dataset]
    let signatures: [Signature]
    let releases: Bool
    let deprecated: Bool
    let formKey: String
    let lineage: String
    /// What "Compare with" offers first: the parent, else the version before.
    let compareWith: String

    let tables: [Table]
    let drift: [DriftRow]
    /// The next page of drift reports, when older ones follow.
    let olderDrift: String?

    /// A recorded drift report in brief, linked to the whole of it.
    struct DriftRow {
        let id: Int64
        let href: String
        let when: String
        let by: String
        let against: String
        let data: String
        let rows: Int64
        let verdict: String
        let flagged: String
        let drifted: Bool
    }

    /// Drift reports listed per page: a version checked nightly has one a day.
    static let driftPageSize = 20

    init(_ version: VersionDocument, lineage: LineageDocument, datasets profiles: [DatasetDocument], drift: DriftListDocument, viewer: WebUI.Viewer) {
        reference = version.reference
        self.lineage = LineageGraph.svg(lineage)
        compareWith = version.parent?.reference ?? "\(version.model)@\(max(1, version.version == 1 ? 2 : version.version - 1))"
        // A deleted version cannot be promoted or deprecated: no release actions.
        releases = viewer.releases && version.deletion == nil
        deprecated = version.status == "deprecated"
        formKey = viewer.formKey
        status = version.status
        statusNote = version.deletion.map { "Deleted \(Format.when($0.at)) (event #\($0.event)): \($0.reason)" }
            ?? version.deprecation.map { "Deprecated: \($0)" } ?? version.rollback.map { "Rolled back: \($0)" }
        aliases = version.aliases
        digest = version.digest
        size = Format.bytes(version.size)
        created = Format.when(version.createdAt)
        registeredBy = Format.actor(version.registeredBy)
        description = version.description
        parent = version.parent.map { Parent(reference: $0.reference, href: Link.reference($0.reference, version: $0.version)) }
        labels = version.labels.sorted { $0.key < $1.key }.map { Label(key: $0.key, value: $0.value) }
        git = version.git.map {
            Git(commit: $0.commit, branch: $0.branch, dirty: $0.dirty, author: $0.author, committed: Format.when($0.committedAt), message: $0.message,
                changedPaths: $0.changedPaths)
        }
        metrics = version.metrics.sorted { $0.key < $1.key }.map { Metric(name: $0.key, value: Format.number($0.value)) }
        evaluations = version.evaluations.map { evaluation in
            Evaluation(slices: Self.slices(evaluation), metrics: evaluation.metrics.map { metric in
                let interval = metric.ciLow.flatMap { low in metric.ciHigh.map { "\(Format.number(low)) – \(Format.number($0))" } } ?? "–"
                return Evaluation.Row(
                    dataset: evaluation.datasetKey, name: metric.name, value: Format.number(metric.value), interval: interval, when: Format.when(evaluation.createdAt))
            })
        }
        params = ParametersHTML.html(.object(version.params))
        files = version.files.map { File(path: $0.path, executable: $0.executable, bytes: $0.size, size: Format.bytes($0.size), digest: $0.digest) }
        datasets = version.datasets.map { Dataset(role: $0.role, source: $0.sourcePath, files: $0.files, size: Format.bytes($0.size), digest: $0.digest) }
        let roles = Dictionary(version.datasets.map { ($0.digest, $0.role) }, uniquingKeysWith: { first, _ in first })
        tables = profiles.flatMap { profile in
            profile.tables.map { table in
                Table(
                    role: roles[profile.digest] ?? "", path: table.path, summary: "\(table.format), \(table.rows) rows, \(table.columns.count) columns",
                    columns: table.columns.map { column in
                        func number(_ value: Double?) -> String { value.map(Format.number) ?? "" }
                        return Table.Column(
                            name: column.name, type: column.type, missing: "\(column.missing)", distinct: "~\(column.distinctEstimate)", min: number(column.min),
                            mean: number(column.mean), max: number(column.max), std: number(column.std),
                            top: column.top.prefix(3).map { "\($0.value)=\($0.count)" }.joined(separator: " "))
                    })
            }
        }
        signatures = version.signatures.map {
            Signature(key: $0.key, fingerprint: Format.shortDigest($0.fingerprint), state: $0.state, when: Format.when($0.signedAt), by: $0.signedBy)
        }
        self.drift = drift.reports.map { report in
            DriftRow(
                id: report.id, href: Link.drift(version.model, report.id), when: Format.when(report.at), by: Format.actor(report.actor),
                against: report.against, data: report.data, rows: report.rows,
                verdict: report.drifted ? "\(report.flagged.count) of \(report.columns) flagged" : "stable", flagged: report.flagged.joined(separator: ", "),
                drifted: report.drifted)
        }
        olderDrift = drift.more ? drift.reports.last.map { Link.version(version.model, version.version) + "?drift_after=\($0.id)#drift-heading" } : nil
    }
}

/// A recorded drift report: what was compared with what, the thresholds, and each column's
/// test, PSI and verdict, flagged columns first (as `drift show` prints it).
struct DriftView {
    struct Column {
        let name: String
        let type: String
        let test: String
        let statistic: String
        let pValue: String
        let psi: String
        let missing: String
        let status: String
        let flagged: Bool
        let reasons: String
    }
    let number: Int64
    let reference: String
    let versionHref: String
    let recorded: String
    let data: String
    let dataDigest: String
    let against: String
    let referenceFile: String
    let referenceDigest: String
    let rows: Int64
    let referenceRows: Int64
    let verdict: String
    let drifted: Bool
    let thresholds: String
    let columns: [Column]

    init(_ report: DriftDocument) {
        number = report.recorded?.id ?? 0
        reference = report.reference
        versionHref = Link.reference(report.reference, version: report.version)
        recorded = report.recorded.map { "\(Format.when($0.at)) by \(Format.actor($0.actor))" } ?? ""
        data = report.data
        dataDigest = Format.shortDigest(report.dataDigest)
        against = report.against
        referenceFile = report.referenceFile
        referenceDigest = Format.shortDigest(report.referenceDataset)
        rows = report.rows
        referenceRows = report.referenceRows
        let flagged = report.columns.filter { $0.status != "stable" }
        drifted = !flagged.isEmpty
        verdict = drifted
            ? "\(flagged.count) of \(report.columns.count) columns flagged: \(flagged.map(\.column).joined(separator: ", "))"
            : "No column drifted (\(report.columns.count) compared)"
        let limits = report.thresholds
        thresholds = "A column drifts at PSI ≥ \(Format.number(limits.psi)), or p < \(Format.number(limits.alpha)) with PSI ≥ \(Format.number(limits.psiWithTest)), "
            + "or when its share of missing values moves by \(Format.number(limits.missingRate * 100))% or more."
        columns = report.columns.map { column in
            func percent(_ value: Double?) -> String { value.map { Format.number($0 * 100) + "%" } ?? "–" }
            return Column(
                name: column.column, type: column.currentType ?? column.referenceType ?? "–", test: column.test ?? "–",
                statistic: column.statistic.map(Format.number) ?? "–", pValue: column.pValue.map(NumberFormat.pValue) ?? "–",
                psi: column.psi.map(Format.number) ?? "–", missing: "\(percent(column.referenceMissingRate)) → \(percent(column.currentMissingRate))",
                status: column.status.replacingOccurrences(of: "_", with: " "), flagged: column.status != "stable",
                reasons: column.reasons.joined(separator: "; "))
        }
    }
}

extension VersionView {
    /// The per-group table of an evaluation with slices: each group's size and metrics, the
    /// largest gap between groups, and for binary tasks the positive rates and disparate impact.
    static func slices(_ evaluation: EvaluationDocument) -> Evaluation.Slices? {
        guard let slices = evaluation.details.member("slices"), let groups = slices.member("groups")?.arrayValue, !groups.isEmpty else { return nil }
        let metricNames = Set(groups.flatMap { $0.member("metrics")?.objectValue?.keys.filter { $0 != "error" } ?? [] }).sorted()
        func number(_ node: JSONValue?) -> String { node?.numericValue.map(Format.number) ?? "–" }
        return Evaluation.Slices(
            title: "\(evaluation.datasetKey), evaluated \(Format.when(evaluation.createdAt))",
            metricNames: metricNames,
            groups: groups.map { group in
                Evaluation.Slices.Group(
                    value: group.member("value").map(ParametersHTML.text) ?? "", count: number(group.member("count")),
                    metrics: metricNames.map { number(group.member("metrics")?.member($0)) }, positiveRate: number(group.member("positive_rate")))
            },
            gaps: metricNames.map { number(slices.member("largest_gap")?.member($0)) },
            disparateImpact: slices.member("disparate_impact")?.numericValue.map(Format.number))
    }
}

/// Links between pages.
enum Link {
    static func model(_ name: String) -> String { WebUI.prefix + "models/" + escaped(name) }
    static func version(_ model: String, _ number: Int) -> String { self.model(model) + "/versions/\(number)" }
    /// A recorded drift report's page.
    static func drift(_ model: String, _ number: Int64) -> String { self.model(model) + "/drift/\(number)" }
    /// `churn@3`'s page.
    static func reference(_ reference: String, version number: Int) -> String {
        version(String(reference.prefix { $0 != "@" }), number)
    }

    /// Percent-escaped for a path segment or a query value.
    static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

/// How the pages write numbers, sizes, dates and people: numbers and sizes as the CLI prints
/// them (`NumberFormat`).
enum Format {
    static func bytes(_ count: Int64) -> String { NumberFormat.bytes(count) }

    static func number(_ value: Double) -> String { NumberFormat.metric(value) }

    /// `2026-11-29T12:00:00.000Z` → `2026-11-29 12:00 UTC`.
    static func when(_ timestamp: String) -> String {
        guard timestamp.count >= 16 else { return timestamp }
        return timestamp.prefix(10) + " " + timestamp.dropFirst(11).prefix(5) + " UTC"
    }

    /// The first 12 hex digits of a digest (`Digest.short`): enough to tell versions apart on a page.
    static func shortDigest(_ digest: String) -> String {
        Digest(parsing: digest)?.short ?? String(digest.prefix(Digest.minimumPrefixLength))
    }

    static func actor(_ registrant: RegistrantDocument) -> String {
        registrant.user + "@" + registrant.host + (registrant.ciProvider.map { " (\($0))" } ?? "")
    }
}

/// Two versions side by side: what changed in metrics (with the change's sign), parameters,
/// files, datasets and the commits between them.
struct DiffView {
    struct Row {
        let name: String
        let change: String
        let before: String
        let after: String
        let delta: String
        /// `up` or `down`, for the change's colour; empty when unchanged or unknown.
        let direction: String
    }
    struct Git {
        struct Commit {
            let id: String
            let subject: String
        }
        let relation: String
        let total: Int
        let commits: [Commit]
    }
    let a: String
    let b: String
    let aHref: String
    let bHref: String
    let metrics: [Row]
    let params: [Row]
    let files: [Row]
    let datasets: [Row]
    let unchangedFiles: Int
    let git: Git?
    let gitNote: String?
    let significance: Significance?

    /// The paired comparison on the stored predictions: each metric's difference (B − A), its
    /// interval and p-value, and whether the change is significant at the level used.
    struct Significance {
        struct Row {
            let metric: String
            let a: String
            let b: String
            let difference: String
            let interval: String
            let p: String
            let verdict: String
            let direction: String
        }
        let dataset: String
        let examples: Int
        let level: String
        let rows: [Row]
    }

    init(_ diff: DiffDocument, comparison: (key: String, comparison: ComparisonDocument)?) {
        significance = comparison.map { key, comparison in
            Significance(
                dataset: key, examples: comparison.examples, level: Format.number(comparison.level * 100) + "%",
                rows: comparison.differences.map { row in
                    Significance.Row(
                        metric: row.metric, a: Format.number(row.a), b: Format.number(row.b),
                        difference: (row.difference > 0 ? "+" : "") + Format.number(row.difference),
                        interval: row.ciLow.flatMap { low in row.ciHigh.map { "\(Format.number(low)) – \(Format.number($0))" } } ?? "–",
                        p: row.pValue.map(NumberFormat.pValue) ?? "–",
                        verdict: row.significant ? (row.improved ? "significantly better" : "significantly worse") : "not significant",
                        direction: row.significant ? (row.improved ? "up" : "down") : "")
                })
        }
        (a, b) = (diff.a, diff.b)
        aHref = LineageGraph.versionPage(diff.a) ?? "/"
        bHref = LineageGraph.versionPage(diff.b) ?? "/"
        func text(_ node: JSONValue?) -> String { node.map(ParametersHTML.text) ?? "–" }
        func file(_ node: JSONValue?) -> String {
            guard let node, node.objectValue != nil else { return "–" }
            let digest = node.member("digest").map(ParametersHTML.text) ?? ""
            let size = node.member("size")?.numericValue.map { Format.bytes(Int64($0)) } ?? ""
            return Format.shortDigest(digest) + (size.isEmpty ? "" : ", " + size)
        }
        func rows(_ changes: [DiffDocument.Change], _ show: (JSONValue?) -> String) -> [Row] {
            changes.map { Row(name: $0.name, change: $0.change, before: show($0.before), after: show($0.after), delta: "", direction: "") }
        }
        metrics = diff.metrics.map { change in
            let delta = change.delta.map { ($0 > 0 ? "+" : "") + Format.number($0) } ?? "–"
            let direction = change.delta.map { $0 > 0 ? "up" : $0 < 0 ? "down" : "" } ?? ""
            return Row(name: change.name, change: change.change, before: text(change.before), after: text(change.after), delta: delta, direction: direction)
        }
        params = rows(diff.params.filter { $0.change != "same" }, text)
        files = rows(diff.files.filter { $0.change != "same" }, file)
        datasets = rows(diff.datasets, { Format.shortDigest(text($0)) })
        unchangedFiles = diff.unchangedFiles
        git = diff.git.map { Git(relation: $0.relation, total: $0.total, commits: $0.commits.map { Git.Commit(id: String($0.id.prefix(10)), subject: $0.subject) }) }
        gitNote = diff.gitNote
    }
}
