import Foundation
import HTTPTypes
import RegistryKit
import RegistryModel
import RegistryWeb

/// The web UI's side of the server: sign-in and sign-out, the session cookie, the forms' key
/// against cross-site forgery, and each page drawn on a worker from its JSON twin, which is
/// answered in the worker as the API would answer the session's token (role and grants apply).
extension RegistryServer {
    /// The session's cookie: HTTP-only (no script reads it) and SameSite=Strict (another site's
    /// page never sends it).
    static let sessionCookie = "mreg_session"
    /// The sign-in form's key before there is a session (a forged sign-in is refused too).
    static let signInCookie = "mreg_sign_in"
    /// How the responder hands a session cookie to `authorize` for an API read.
    static let sessionScheme = "Session "
    /// The largest form body a page posts (a token and two keys).
    static let formLimit = 16 << 10

    /// What a request to the UI carries that the pages need.
    struct WebRequest {
        let method: String
        let path: String
        let items: [(String, String)]
        let cookies: [String: String]
        /// The posted form's fields (`application/x-www-form-urlencoded`).
        let fields: [String: String]
        /// Whether the request came from a page of this server (its Origin, when it has one).
        let sameOrigin: Bool
        /// Whether cookies are set `Secure` (the server answers HTTPS).
        let secure: Bool
    }

    func respondWeb(_ request: WebRequest) async -> Answer {
        if request.method == "GET", let asset = Assets.asset(at: request.path) {
            return Answer(status: .ok, body: Data(asset.body.utf8), contentType: asset.contentType, headers: [(.cacheControl, "max-age=300")])
        }
        switch (request.method, request.path) {
        case ("GET", WebUI.signInPath):
            let key = request.cookies[Self.signInCookie].flatMap { $0.isEmpty ? nil : $0 } ?? Registry.randomText()
            return page(WebUI.signIn(next: request.items.first { $0.0 == "next" }?.1 ?? "/", formKey: key, error: nil), cookies: [signInCookie(key, request)])
        case ("POST", WebUI.signInPath):
            return await signIn(request)
        case ("POST", WebUI.signOutPath):
            return await signOut(request)
        case ("POST", let path) where path.hasPrefix(WebUI.actionPrefix):
            return await act(request)
        case ("GET", _):
            return await drawPage(request)
        default:
            return page(WebUI.problem(status: 405, heading: "Not allowed", message: "\(request.path) does not answer \(request.method)", hint: nil, viewer: nil))
        }
    }

    private func signIn(_ request: WebRequest) async -> Answer {
        let next = WebUI.safeNext(request.fields["next"] ?? "/")
        guard request.sameOrigin, let key = request.cookies[Self.signInCookie], !key.isEmpty, Self.same(key, request.fields["form_key"]) else {
            return refusedForm()
        }
        let secret = request.fields["token"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let outcome = await work { registry throws(RegistryError) in try registry.signIn(secret: secret) }
        switch outcome {
        case .success(let signedIn?):
            let seconds = max(1, Int(signedIn.session.expiresAt.timeIntervalSinceNow))
            return Self.redirect(to: next, principal: signedIn.token.name, cookies: [
                Self.cookie(Self.sessionCookie, signedIn.secret, path: "/", maxAge: seconds, secure: request.secure),
                Self.cookie(Self.signInCookie, "", path: WebUI.signInPath, maxAge: 0, secure: request.secure),
            ])
        case .success(nil):
            return page(WebUI.signIn(next: next, formKey: key, error: "That token is unknown, expired or revoked: ask an admin for a new one."))
        case .failure(let error):
            return page(WebUI.problem(status: Int(Self.status(of: error).code), heading: "Not signed in", message: error.message, hint: error.hint, viewer: nil))
        }
    }

    private func signOut(_ request: WebRequest) async -> Answer {
        let secret = request.cookies[Self.sessionCookie] ?? ""
        let fields = request.fields
        let sameOrigin = request.sameOrigin
        let outcome = await work { registry throws(RegistryError) -> Bool in
            guard try Self.formSession(registry, secret: secret, fields: fields, sameOrigin: sameOrigin) != nil else { return false }
            try registry.signOut(secret: secret)
            return true
        }
        guard case .success(true) = outcome else { return refusedForm() }
        return Self.redirect(to: WebUI.signInPath, cookies: [Self.cookie(Self.sessionCookie, "", path: "/", maxAge: 0, secure: request.secure)])
    }

    private func drawPage(_ request: WebRequest) async -> Answer {
        guard let page = WebUI.page(path: request.path, items: request.items) else {
            return self.page(WebUI.problem(status: 404, heading: "No such page", message: "nothing is at \(request.path)", hint: "start from the models page, /", viewer: nil))
        }
        let secret = request.cookies[Self.sessionCookie] ?? ""
        let outcome = await work { [self] registry throws(RegistryError) -> (WebUI.Drawn, String)? in
            guard let (session, token) = try registry.webSession(secret: secret) else { return nil }
            return (WebUI.draw(page, viewer: Self.viewer(session, token), call: apiCall(registry, token)), token.name)
        }
        switch outcome {
        case .success(let (drawn, principal)?):
            return self.page(drawn, principal: principal)
        case .success(nil):
            // Not signed in (or the session ended): to the sign-in page, and back here after.
            let target = request.path + (request.items.isEmpty ? "" : "?" + Self.formEncoded(request.items))
            return Self.redirect(to: WebUI.signInPath + "?next=" + Self.formEncoded([("", target)]).dropFirst())
        case .failure(let error):
            return self.page(WebUI.problem(status: Int(Self.status(of: error).code), heading: "Not shown", message: error.message, hint: error.hint, viewer: nil))
        }
    }

    /// A posted action: the session's form key and this server's origin first, then the API
    /// call the form stands for, as the session's token.
    private func act(_ request: WebRequest) async -> Answer {
        let secret = request.cookies[Self.sessionCookie] ?? ""
        let (fields, sameOrigin, path) = (request.fields, request.sameOrigin, request.path)
        let outcome = await work { [self] registry throws(RegistryError) -> (WebUI.Outcome, String)? in
            guard let (session, token) = try Self.formSession(registry, secret: secret, fields: fields, sameOrigin: sameOrigin) else { return nil }
            let outcome = WebUI.act(path: path, fields: fields, viewer: Self.viewer(session, token), call: apiCall(registry, token))
            return outcome.map { ($0, token.name) }
        }
        switch outcome {
        case .success(let (.page(drawn), principal)?):
            return page(drawn, principal: principal)
        case .success(let (.redirect(location), principal)?):
            return Self.redirect(to: location, principal: principal)
        case .success(nil):
            return refusedForm()
        case .failure(let error):
            return page(WebUI.problem(status: Int(Self.status(of: error).code), heading: "Not done", message: error.message, hint: error.hint, viewer: nil))
        }
    }

    /// The session a posted form acts in: its cookie's session, when the form carries that
    /// session's key and came from this server; nil otherwise (a forged or stale form).
    static func formSession(
        _ registry: Registry, secret: String, fields: [String: String], sameOrigin: Bool
    ) throws(RegistryError) -> (session: WebSession, token: AccessToken)? {
        guard sameOrigin, let found = try registry.webSession(secret: secret), same(found.session.formKey, fields["form_key"]) else { return nil }
        return found
    }

    static func viewer(_ session: WebSession, _ token: AccessToken) -> WebUI.Viewer {
        WebUI.Viewer(name: token.name, role: token.role.rawValue, formKey: session.formKey, releases: token.role >= .promoter)
    }

    /// The API answered in this worker as `token` would be answered over HTTP: the same route,
    /// role and grants, and the same status and document (`respond`'s).
    private func apiCall(_ registry: Registry, _ token: AccessToken) -> WebUI.Call {
        let (routes, host, errorDocument) = (self.routes, self.host, self.errorDocument)
        return { method, path, items in
            do throws(RegistryError) {
                guard let route = routes["\(method) \(path)"] else { throw RegistryError(.internal, "internal error: the web UI called \(method) \(path), no endpoint") }
                try Self.permit(route, items: items, token: token)
                let answer = try route.handle(RouteCall(
                    registry: registry, items: items, form: .document, principal: token, host: host, body: Data(),
                    attachment: nil))
                return WebUI.Answer(status: Int(Self.status(of: answer).code), body: answer.stdout)
            } catch {
                return WebUI.Answer(status: Int(Self.status(of: error).code), body: errorDocument(error))
            }
        }
    }

    private func refusedForm() -> Answer {
        page(WebUI.problem(
            status: 403, heading: "Form refused",
            message: "the form's key does not match this browser's session, or it was sent from another site",
            hint: "open the page again and resend the form from it", viewer: nil))
    }

    private func page(_ drawn: WebUI.Drawn, principal: String? = nil, cookies: [String] = []) -> Answer {
        var answer = Answer(
            status: HTTPResponse.Status(code: drawn.status), body: Data(drawn.html.utf8), contentType: "text/html; charset=utf-8", principal: principal)
        answer.headers = cookies.map { (.setCookie, $0) } + Self.pageHeaders
        return answer
    }

    /// 303 to `location` (after a form, or to sign in), setting `cookies`.
    static func redirect(to location: String, principal: String? = nil, cookies: [String] = []) -> Answer {
        var answer = Answer(status: .seeOther, body: Data(), contentType: "text/plain", principal: principal)
        answer.headers = [(.location, location)] + cookies.map { (.setCookie, $0) }
        return answer
    }

    /// No page is framed by another site, and none runs a script it did not serve itself.
    static let pageHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
        (.init("X-Content-Type-Options")!, "nosniff"), (.cacheControl, "no-store"),
    ]

    private func signInCookie(_ key: String, _ request: WebRequest) -> String {
        Self.cookie(Self.signInCookie, key, path: WebUI.signInPath, maxAge: 3600, secure: request.secure)
    }

    static func cookie(_ name: String, _ value: String, path: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// `https://host:port` → `host:port` (an Origin header's authority).
    static func originAuthority(_ origin: String) -> String {
        origin.range(of: "://").map { String(origin[$0.upperBound...]) } ?? origin
    }

    /// Compares secrets in time that does not depend on where they differ.
    static func same(_ expected: String, _ given: String?) -> Bool {
        guard let given else { return false }
        let (a, b) = (Array(expected.utf8), Array(given.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `Cookie: a=1; b=2`.
    static func cookies(_ header: String?) -> [String: String] {
        var cookies = [String: String]()
        for part in (header ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, cookies[pair[0]] == nil { cookies[pair[0]] = pair[1] }
        }
        return cookies
    }

    /// A form's fields from `application/x-www-form-urlencoded` (the first of a repeated name).
    static func formFields(_ body: Data) -> [String: String] {
        var fields = [String: String]()
        for part in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = pair.first, fields[name] == nil { fields[name] = pair.count == 2 ? pair[1] : "" }
        }
        return fields
    }

    static func formEncoded(_ items: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~/"))
        return items.map { ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") }
            .joined(separator: "&")
    }
}
