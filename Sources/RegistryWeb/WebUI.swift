import Foundation
import Mustache
import RegistryDocuments

/// The web UI's pages, drawn on the server as HTML (charts as SVG), so they work without
/// JavaScript. Each page is drawn from its JSON twin: the API document the same request would
/// get, which the server answers for the signed-in token (its role and model grants apply).
/// Sessions, cookies and forms are the server's; this module only draws.
public enum WebUI {
    /// A page of the UI, from its path and query.
    public enum Page: Equatable, Sendable {
        case models(query: String)
        /// `at`: what the aliases named at that moment (`history --at`), shown above the versions.
        /// `metrics`: the metric columns chosen (none: the first few).
        case model(name: String, after: Int?, at: String?, metrics: [String])
        /// `driftAfter`: the page of recorded drift reports after the one that ended at that report.
        case version(model: String, number: Int, driftAfter: Int64?)
        case diff(a: String, b: String)
        /// A recorded drift report (`drift show`).
        case drift(model: String, number: Int64)
    }

    /// Who is signed in, for the header and the forms.
    public struct Viewer: Sendable {
        public let name: String
        public let role: String
        /// Every form carries it back (the session's key against cross-site forgery).
        public let formKey: String
        /// Whether the token may promote, roll back and deprecate (its alias grant is checked when it does).
        public let releases: Bool

        public init(name: String, role: String, formKey: String, releases: Bool) {
            self.name = name
            self.role = role
            self.formKey = formKey
            self.releases = releases
        }
    }

    /// Why a twin was not answered: its HTTP status and the API's error message and hint.
    public struct TwinFailure: Error, Sendable {
        public let status: Int
        public let message: String
        public let hint: String?

        public init(status: Int, message: String, hint: String?) {
            self.status = status
            self.message = message
            self.hint = hint
        }
    }

    /// An API call's answer: its HTTP status and body (the command's document, or the error document).
    public struct Answer: Sendable {
        public let status: Int
        public let body: Data

        public init(status: Int, body: Data) {
            self.status = status
            self.body = body
        }
    }

    /// Calls the API as the viewer's token would (`GET /v1/show`, `POST /v1/promote`…): the server
    /// answers it in-process, with the token's role and grants.
    public typealias Call = (_ method: String, _ path: String, _ items: [(String, String)]) -> Answer

    /// A page's twin: the document, or why the call failed.
    static func fetch(_ call: Call, _ path: String, _ items: [(String, String)]) throws(TwinFailure) -> Data {
        let answer = call("GET", path, items)
        guard answer.status == 200 else { throw TwinFailure(answer) }
        return answer.body
    }

    /// A page drawn: its HTTP status and HTML.
    public struct Drawn: Sendable {
        public let status: Int
        public let html: String
    }

    /// Where the pages live: `/` is the models page, the rest is under `/ui/`.
    public static func isPagePath(_ path: String) -> Bool { path == "/" || path == "/favicon.ico" || path.hasPrefix(prefix) }
    public static let prefix = "/ui/"
    public static let signInPath = "/ui/sign-in"
    public static let signOutPath = "/ui/sign-out"

    /// The page at `path`; nil when no page is there.
    public static func page(path: String, items: [(String, String)]) -> Page? {
        func value(_ name: String) -> String? { items.first { $0.0 == name }?.1 }
        if path == "/" { return .models(query: value("q") ?? "") }
        if path == prefix + "diff" { return .diff(a: value("a") ?? "", b: value("b") ?? "") }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "models", parts.count >= 2, let name = parts[1].removingPercentEncoding, !name.isEmpty else { return nil }
        if parts.count == 2 {
            return .model(
                name: name, after: value("after").flatMap { Int($0) }, at: value("at").flatMap { $0.isEmpty ? nil : ModelView.instant($0) },
                metrics: items.filter { $0.0 == "metric" }.map(\.1))
        }
        if parts.count == 4, parts[2] == "versions", let number = Int(parts[3]) {
            return .version(model: name, number: number, driftAfter: value("drift_after").flatMap { Int64($0) })
        }
        if parts.count == 4, parts[2] == "drift", let number = Int64(parts[3]) { return .drift(model: name, number: number) }
        return nil
    }

    /// Draws a page for a signed-in viewer; a twin's failure becomes the page's (404, 403…).
    public static func draw(_ page: Page, viewer: Viewer, call: Call) -> Drawn {
        do throws(TwinFailure) {
            let (title, crumbs, twin, body) = try content(page, viewer: viewer, call: call)
            return Drawn(status: 200, html: layout(title: title, body: body, viewer: viewer, crumbs: crumbs, twin: twin))
        } catch {
            return problem(status: error.status, heading: "Not shown", message: error.message, hint: error.hint, viewer: viewer)
        }
    }

    /// The sign-in page (also after a failed try, with what went wrong).
    public static func signIn(next: String, formKey: String, error: String?) -> Drawn {
        let body = Templates.library.render(SignInView(next: safeNext(next), formKey: formKey, error: error), withTemplate: "sign-in") ?? ""
        return Drawn(status: error == nil ? 200 : 401, html: layout(title: "Sign in", body: body, viewer: nil, crumbs: [], twin: nil))
    }

    /// A page of its own for a refused form or request (no twin behind it).
    public static func problem(status: Int, heading: String, message: String, hint: String?, viewer: Viewer?) -> Drawn {
        let body = Templates.library.render(Problem(heading: heading, message: message, hint: hint), withTemplate: "problem") ?? ""
        return Drawn(status: status, html: layout(title: heading, body: body, viewer: viewer, crumbs: [], twin: nil))
    }

    /// Where to go after signing in: a page of this UI only, never another site.
    public static func safeNext(_ next: String) -> String {
        next.hasPrefix("/") && !next.hasPrefix("//") && !next.contains("\\") && isPagePath(String(next.prefix { $0 != "?" })) ? next : "/"
    }

    private static func content(_ page: Page, viewer: Viewer, call: Call) throws(TwinFailure) -> (String, [Crumb], String, String) {
        func fetch(_ path: String, _ items: [(String, String)]) throws(TwinFailure) -> Data { try Self.fetch(call, path, items) }
        switch page {
        case .models(let query):
            // `owner=risk` in the search is a label a version must carry; other words match names.
            let labels = ModelsView.words(query).filter { $0.contains("=") }.map { ("label", $0) }
            let twin = "/v1/list" + (labels.isEmpty ? "" : "?" + Self.query(labels))
            let view = try ModelsView(Twin.decoded(ModelListDocument.self, fetch("/v1/list", labels)), query: query, labelled: !labels.isEmpty)
            return ("Models", [], twin, render(view, "models"))
        case .model(let name, let after, let at, let chosen):
            var items = [("model", name), ("limit", "\(ModelView.pageSize)")]
            if let after { items.append(("after", "\(after)")) }
            let list = try Twin.decoded(VersionListDocument.self, fetch("/v1/list", items))
            let history = try Twin.decoded(HistoryDocument.self, fetch("/v1/history", [("model", name), ("limit", "\(ModelView.timelineLength)")]))
            let then = try at.map { (at) throws(TwinFailure) in try Twin.decoded(AliasesAtDocument.self, fetch("/v1/history", [("model", name), ("at", at)])) }
            let view = ModelView(list, history: history, after: after, at: then, chosen: chosen, viewer: viewer)
            return (name, [Crumb(label: "Models", href: "/")], "/v1/list?" + query(items), render(view, "model"))
        case .version(let model, let number, let driftAfter):
            let reference = "\(model)@\(number)"
            let version = try Twin.decoded(VersionDocument.self, fetch("/v1/show", [("ref", reference)]))
            var driftItems = [("ref", reference), ("limit", "\(VersionView.driftPageSize)")]
            if let driftAfter { driftItems.append(("after", "\(driftAfter)")) }
            let drift = try Twin.decoded(DriftListDocument.self, fetch("/v1/drift/list", driftItems))
            let lineage = try Twin.decoded(LineageDocument.self, fetch("/v1/lineage", [("ref", reference)]))
            let crumbs = [Crumb(label: "Models", href: "/"), Crumb(label: model, href: Link.model(model))]
            // Each dataset's column statistics (with one of the versions that used it, the least
            // `dataset show` lists: a dataset may train thousands).
            let profiles = version.datasets.compactMap { dataset in
                (try? fetch("/v1/dataset/show", [("dataset", dataset.digest), ("limit", "1")])).flatMap { try? DocumentDecoder.decode(DatasetDocument.self, $0) }
            }
            let view = VersionView(version, lineage: lineage, datasets: profiles, drift: drift, viewer: viewer)
            return (reference, crumbs, "/v1/show?" + query([("ref", reference)]), render(view, "version"))
        case .diff(let a, let b):
            // The API's diff is a POST (a client may send its repository's history); the page sends none.
            let answer = call("POST", "/v1/diff", [("ref", a), ("ref", b)])
            guard answer.status == 200 else { throw TwinFailure(answer) }
            let diff = try Twin.decoded(DiffDocument.self, answer.body)
            let comparison = compared(a, b, call: call)
            let model = String(a.prefix { $0 != "@" })
            let twin = "POST /v1/diff?" + query([("ref", a), ("ref", b)])
            return ("\(a) → \(b)", [Crumb(label: "Models", href: "/"), Crumb(label: model, href: Link.model(model))], twin, render(DiffView(diff, comparison: comparison), "diff"))
        case .drift(let model, let number):
            let items = [("model", model), ("number", "\(number)")]
            let report = try Twin.decoded(DriftDocument.self, fetch("/v1/drift/show", items))
            let crumbs = [
                Crumb(label: "Models", href: "/"), Crumb(label: model, href: Link.model(model)),
                Crumb(label: report.reference, href: Link.version(model, report.version)),
            ]
            return ("Drift report #\(number)", crumbs, "/v1/drift/show?" + query(items), render(DriftView(report), "drift"))
        }
    }

    /// The paired comparison of two versions (`compare`), when both kept the predictions of an
    /// evaluation on a dataset of the same role: the metrics' differences with intervals and
    /// p-values. Nil when they did not, or when either version cannot be read.
    static func compared(_ a: String, _ b: String, call: Call) -> (key: String, comparison: ComparisonDocument)? {
        func keys(_ reference: String) -> Set<String> {
            guard let data = try? fetch(call, "/v1/show", [("ref", reference)]), let version = try? DocumentDecoder.decode(VersionDocument.self, data) else { return [] }
            return Set(version.evaluations.filter { $0.predictions != nil }.map(\.datasetKey))
        }
        guard let key = keys(a).intersection(keys(b)).sorted().first,
            let data = try? fetch(call, "/v1/compare", [("ref", a), ("ref", b), ("dataset", key)]),
            let comparison = try? DocumentDecoder.decode(ComparisonDocument.self, data)
        else { return nil }
        return (key, comparison)
    }

    static func render(_ view: Any, _ template: String) -> String {
        Templates.library.render(view, withTemplate: template) ?? ""
    }

    static func layout(title: String, body: String, viewer: Viewer?, crumbs: [Crumb], twin: String?) -> String {
        // A GET twin is a link (it opens in the signed-in browser); a POST one is named.
        let posted = twin.flatMap { $0.hasPrefix("POST ") ? String($0.dropFirst(5)) : nil }
        return render(LayoutView(title: title, body: body, viewer: viewer, crumbs: crumbs, twin: posted == nil ? twin : nil, postedTwin: posted), "layout")
    }

    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(Link.escaped($0.0))=\(Link.escaped($0.1))" }.joined(separator: "&")
    }
}

struct LayoutView {
    let title: String
    let body: String
    let viewer: WebUI.Viewer?
    let crumbs: [Crumb]
    let twin: String?
    let postedTwin: String?
}

struct Crumb {
    let label: String
    let href: String
}

struct Problem {
    let heading: String
    let message: String
    let hint: String?
}

struct SignInView {
    let next: String
    let formKey: String
    let error: String?
}

extension WebUI.TwinFailure {
    /// The failure an API answer describes (its error document's message and hint).
    init(_ answer: WebUI.Answer) {
        let document = try? DocumentDecoder.decode(ErrorDocument.self, answer.body)
        self.init(status: answer.status, message: document?.error.message ?? "the API answered \(answer.status)", hint: document?.error.hint)
    }
}

/// A page's twin read back: the document, or the failure of a page whose twin no longer reads as
/// it should (a bug, never a blank page).
enum Twin {
    static func decoded<T: Decodable>(_ type: T.Type, _ data: Data) throws(WebUI.TwinFailure) -> T {
        do {
            return try DocumentDecoder.decode(type, data)
        } catch {
            throw WebUI.TwinFailure(status: 500, message: "internal error: the API's document did not read as this page expects: \(error)", hint: nil)
        }
    }
}
