import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct HistoryCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a model's alias moves and status changes, newest first, or what an alias held at a moment.",
        discussion: """
            Every promote, forced promote, demote, rollback, deprecation, lifted mark and annotation \
            is an event in an append-only ledger, and so is every registration, evaluation, \
            signature and dataset record (--records shows a model's too); each carries the digest of \
            the one before it, and the head digest printed here commits to the whole history \
            ('mreg verify' checks the chain; keep the head and pass it to --expect-head). --at takes \
            any ISO 8601 date or time; a date alone means its start, UTC.

            EXAMPLES
              mreg history churn
              mreg history churn --records --limit 50
              mreg history churn --alias production
              mreg history churn --alias production --at 2026-03-01T12:00:00Z
              mreg history churn --at 2026-12-01
            """)

    @Argument(help: "The model.")
    var name: String

    @Option(name: .long, help: "Only this alias's events.")
    var alias: String?

    @Option(name: .long, help: ArgumentHelp("Show what each alias (or --alias) pointed at, at this ISO 8601 time.", valueName: "time"))
    var at: String?

    @Option(name: .long, help: "How many of the newest events to show.")
    var limit = 50

    @Flag(name: .long, help: "Show every event (overrides --limit).")
    var all = false

    @Flag(name: .long, help: "Include the model's registrations, evaluations and signatures.")
    var records = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// What `history --json` prints, and `mreg serve` answers on `/v1/history`.
    static func document(model: String, alias: String?, _ history: RegistryKit.History) -> HistoryDocument {
        HistoryDocument(
            model: model, alias: alias, total: history.total,
            head: history.head.map { .init(sequence: $0.sequence, digest: $0.digest.description) }, events: history.events.map(EventDocument.init))
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        if let at {
            try showAliases(registry, at: at)
            return
        }
        let history = try registry.history(model: name, alias: alias, limit: all ? nil : limit, facts: records)
        if global.json {
            Console.json(Self.document(model: name, alias: alias, history))
            return
        }
        if history.events.isEmpty {
            Console.out("no events for \(name)\(alias.map { " alias \($0)" } ?? ""); 'mreg promote \(name)@N --to ALIAS' makes the first")
        } else {
            Console.out(Format.table(
                ["EVENT", "TIME", "ALIAS", "ACTION", "FROM", "TO", "BY", "REASON"],
                history.events.map { recorded in
                    let event = recorded.event
                    let action = event.action.rawValue + (event.forced ? " (forced)" : "")
                    return ["#\(event.sequence)", Timestamp.format(event.at), event.alias?.value ?? "-", action,
                            event.from.map { "v\($0.number)" } ?? "-", event.to.map { "v\($0.number)" } ?? "-",
                            Self.actor(event.actor), event.reason.map { RegistryError.oneLineText($0, limit: 60) } ?? ""]
                }))
        }
        if history.events.count < history.total {
            note("(\(history.total - history.events.count) older event(s) not shown; use --limit N or --all)")
        }
        if let head = history.head { Console.out("ledger head: #\(head.sequence) \(head.digest)") }
    }

    private func showAliases(_ registry: Registry, at text: String) throws(RegistryError) {
        let date = try InputParsing.time(text, flag: "--at")
        let held = try registry.aliases(model: name, alias: alias, at: date)
        if global.json {
            Console.json(AliasesAtDocument(
                model: name, at: Timestamp.format(date),
                aliases: held.keys.sorted().map { alias in
                    let recorded = held[alias]!
                    return .init(alias: alias.value, version: recorded.event.to.map(PointerDocument.init), since: Timestamp.format(recorded.event.at), event: recorded.event.sequence)
                }))
            return
        }
        guard !held.isEmpty else {
            let what = alias.map { "alias \($0) of \(name) pointed at no version" } ?? "no alias of \(name) pointed at a version"
            Console.out("\(what) at \(Timestamp.format(date)) (no event before then)")
            return
        }
        for alias in held.keys.sorted() {
            let event = held[alias]!.event
            let target = event.to.map { "\($0.reference) (\($0.manifestDigest.short))" } ?? "no version"
            Console.out("\(alias) at \(Timestamp.format(date)): \(target), since \(Timestamp.format(event.at)) (event #\(event.sequence), \(event.action.rawValue))")
        }
    }

    static func actor(_ actor: Registrant) -> String {
        "\(actor.user)@\(actor.host)" + (actor.ciProvider.map { " (\($0)" + (actor.ciJobID.map { " \($0)" } ?? "") + ")" } ?? "")
    }
}
