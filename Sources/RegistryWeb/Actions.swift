import Foundation
import RegistryDocuments

/// The web UI's actions: each form posts here and ends in the same API call the CLI makes, so
/// the ledger records the same event, under the same gates and grants. Promoting shows the gate
/// report (a dry run) first and moves only on confirmation; forcing needs a reason.
extension WebUI {
    /// What an action leads to: a page (a gate report, a refusal), or back to where it was asked.
    public enum Outcome: Sendable {
        case page(Drawn)
        case redirect(String)
    }

    public static let actionPrefix = "/ui/actions/"

    /// Runs a posted action form; nil when no action is at `path`.
    public static func act(path: String, fields: [String: String], viewer: Viewer, call: Call) -> Outcome? {
        guard path.hasPrefix(actionPrefix) else { return nil }
        func field(_ name: String) -> String { fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        switch path.dropFirst(actionPrefix.count) {
        case "promote":
            return promote(reference: field("ref"), alias: field("to"), reason: field("reason"), force: field("force") == "true",
                           confirmed: field("step") == "confirm", viewer: viewer, call: call)
        case "rollback":
            let (model, alias) = (field("model"), field("alias"))
            let answer = call("POST", "/v1/rollback", [("model", model), ("alias", alias)] + optional("reason", field("reason")))
            return answer.status == 200 ? .redirect(Link.model(model) + "#timeline-heading") : refused(answer, "Not rolled back", viewer)
        case "deprecate":
            let reference = field("ref")
            let answer = call("POST", "/v1/deprecate", [("ref", reference), ("reason", field("reason"))])
            let page = Link.reference(reference, version: Int(reference.split(separator: "@").last ?? "") ?? 0)
            return answer.status == 200 ? .redirect(page) : refused(answer, "Not deprecated", viewer)
        default:
            return nil
        }
    }

    private static func promote(reference: String, alias: String, reason: String, force: Bool, confirmed: Bool, viewer: Viewer, call: Call) -> Outcome {
        var items = [("ref", reference), ("to", alias)] + optional("reason", reason)
        if force { items.append(("force", "true")) }
        if !confirmed { items.append(("dry_run", "true")) }
        let answer = call("POST", "/v1/promote", items)
        guard let report = try? DocumentDecoder.decode(PromoteDocument.self, answer.body) else { return refused(answer, "Not promoted", viewer) }
        if confirmed, answer.status == 200 { return .redirect(Link.model(report.model) + "#timeline-heading") }
        let view = GateReportView(report, reason: reason, viewer: viewer)
        let body = render(view, "gates")
        let crumbs = [Crumb(label: "Models", href: "/"), Crumb(label: report.model, href: Link.model(report.model)),
                      Crumb(label: report.version.reference, href: view.back)]
        return .page(Drawn(status: answer.status, html: layout(title: "Promote \(report.version.reference)", body: body, viewer: viewer, crumbs: crumbs, twin: nil)))
    }

    private static func refused(_ answer: Answer, _ heading: String, _ viewer: Viewer) -> Outcome {
        let failure = TwinFailure(answer)
        return .page(problem(status: failure.status, heading: heading, message: failure.message, hint: failure.hint, viewer: viewer))
    }

    private static func optional(_ name: String, _ value: String) -> [(String, String)] { value.isEmpty ? [] : [(name, value)] }
}

/// A promotion's gate report, with the form that confirms it (or forces it, with a reason).
struct GateReportView {
    struct Gate {
        let gate: String
        let metric: String
        let outcome: String
        let actual: String
        let required: String
        let detail: String
    }
    let reference: String
    let alias: String
    let verdict: String
    let gates: [Gate]
    let warnings: [String]
    let canConfirm: Bool
    /// Offered after a refusal: the report is on the page, so forcing (with a reason) is the confirmation.
    let canForce: Bool
    let reason: String
    let formKey: String
    let back: String

    init(_ report: PromoteDocument, reason: String, viewer: WebUI.Viewer) {
        reference = report.version.reference
        alias = report.alias
        let previous = report.previous.map { "v\($0.version)" } ?? "nothing"
        // A dry run that would be refused says so by its failed gates (and by not moving).
        let refused = !report.wouldMove && (report.result == "refused" || report.gates.contains { $0.outcome == "failed" })
        if report.wouldMove {
            verdict = "The gates pass: \(report.alias) would move from \(previous) to v\(report.version.version)."
        } else if refused {
            verdict = "Refused: a gate did not pass, so \(report.alias) stays at \(previous). A promoter may force it with a reason; the ledger records it as forced."
        } else {
            verdict = "\(report.alias) already names v\(report.version.version): nothing would change."
        }
        canConfirm = report.result == "dry_run" && report.wouldMove
        canForce = refused
        gates = report.gates.map {
            Gate(gate: $0.gate, metric: $0.metric ?? "", outcome: $0.outcome, actual: $0.actual.map(ParametersHTML.text) ?? "–",
                 required: $0.required.map(ParametersHTML.text) ?? "–", detail: $0.detail)
        }
        warnings = report.warnings
        self.reason = reason
        formKey = viewer.formKey
        back = Link.reference(report.version.reference, version: report.version.version)
    }
}
