import Foundation
import RegistryTestSupport
import Testing

/// Every endpoint of `mreg serve` against every role, and against no token, a garbage token,
/// an expired one and a revoked one: 401 without a usable token, 403 naming the role needed
/// below it, and at or above it a call that ran (whatever its own outcome). A flag that needs
/// a higher role (`drift`'s `record`) is one more row, with that role.
@Suite struct AuthorizationMatrixTests {
    static let roles = ["reader", "writer", "promoter", "admin"]

    /// A call that passes every check but the token's for each endpoint: the query (and body)
    /// a client would send. Keyed by "METHOD PATH"; an endpoint missing here fails the test.
    static var calls: [String: (query: String, body: String?)] {
        [
            "GET /v1/list": ("", nil),
            "GET /v1/show": ("ref=churn@1", nil),
            "GET /v1/history": ("model=churn", nil),
            "GET /v1/verify": ("ref=churn@1", nil),
            "GET /v1/lineage": ("ref=churn@1", nil),
            "GET /v1/policy": ("model=churn", nil),
            "GET /v1/keys/list": ("", nil),
            "GET /v1/dataset/list": ("", nil),
            "GET /v1/dataset/show": ("dataset=customers", nil),
            "GET /v1/whoami": ("", nil),
            "POST /v1/diff": ("ref=churn@1&ref=churn@2", "{}"),
            "GET /v1/compare": ("ref=churn@1&ref=churn@2&dataset=holdout", nil),
            "GET /v1/find": ("commit=abcd", nil),
            "POST /v1/evaluate": ("ref=churn@1&dataset=customers&metric=auc%3D0.7", "{}"),
            "POST /v1/sign": ("ref=churn@1", "{}"),
            "POST /v1/keys/trust": ("", "{}"),
            "POST /v1/dataset/add": ("name=matrix", "{}"),
            "POST /v1/drift": ("ref=churn@1&data=new.csv", "{}"),
            "GET /v1/drift/list": ("ref=churn@1", nil),
            "GET /v1/drift/show": ("model=churn&number=1", nil),
            "POST /v1/annotate": ("ref=churn@1&label=owner%3Drisk", nil),
            "POST /v1/promote": ("ref=churn@2&to=staging", nil),
            "POST /v1/rollback": ("model=churn&alias=staging", nil),
            "POST /v1/demote": ("model=churn&alias=production", nil),
            "POST /v1/deprecate": ("ref=churn@1&reason=matrix", nil),
            "POST /v1/lift": ("ref=churn@1&deprecation=true", nil),
            "POST /v1/delete": ("ref=churn@1&reason=matrix", nil),
            "POST /v1/undelete": ("ref=churn@1", nil),
            "POST /v1/retention": ("model=churn", nil),
            "POST /v1/token/create": ("name=made-NAME&role=reader", nil),
            "GET /v1/token/list": ("", nil),
            "POST /v1/token/revoke": ("name=nobody", nil),
            "POST /v1/blobs/missing": ("", #"{"blobs": []}"#),
            "POST /v1/register": ("", "{}"),
            "GET /v1/blobs/{digest}": ("", nil),
            "PUT /v1/blobs/{digest}": ("", nil),
        ]
    }

    @Test func everyEndpointAgainstEveryRoleAndEveryUnusableToken() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.95])
        try writeFile(space.directory.url("data.csv"), "age\n31\n")
        #expect(try space.run(["dataset", "add", "customers", "data.csv", "-q"]).status == 0)
        var tokens = [String: String]()
        for role in Self.roles + ["expired", "revoked"] {
            let granted = Self.roles.contains(role) ? role : "admin"
            let created = try space.run(["token", "create", "t-\(role)", "--role", granted, "-q"] + (role == "expired" ? ["--expires", "1m"] : []))
            #expect(created.status == 0, "\(created.stderr)")
            tokens[role] = created.stdout.trimmingCharacters(in: .newlines)
        }
        try executeSQL(space.registry, "UPDATE tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE name = 't-expired'")
        #expect(try space.run(["token", "revoke", "t-revoked", "-q"]).status == 0)
        let manifest = try space.run(["show", "churn@1", "--json"]).json()["digest"] as! String
        try writeFile(space.directory.url("blob.bin"), "an uploaded blob")
        let uploaded = "sha256:" + sha256Hex("an uploaded blob")

        let server = try ServerProcess(registry: space.registry, in: space.path)
        let dumped = try mreg(["serve", "--dump-endpoints", "--registry", space.registry], in: space.path)
        let endpoints = try JSONSerialization.jsonObject(with: Data(dumped.stdout.utf8)) as! [[String: Any]]
        var needed = [String: String]()
        var raised = [(key: String, flag: String, role: String)]()
        for endpoint in endpoints {
            let key = "\(endpoint["method"]!) \(endpoint["path"]!)"
            needed[key] = endpoint["role"] as? String
            for (flag, role) in endpoint["flag_roles"] as? [String: String] ?? [:] { raised.append((key, flag, role)) }
        }
        let calls = Self.calls
        #expect(Set(calls.keys) == Set(needed.keys), "every endpoint has a call in the matrix")
        #expect(
            Set(raised.map { "\($0.key) \($0.flag) \($0.role)" }) == ["POST /v1/drift record writer", "POST /v1/retention apply promoter"],
            "recording a drift report needs a writer, applying retention a promoter; nothing else raises a role")

        let rows = needed.sorted(by: { $0.key < $1.key }).map { (key: $0.key, extra: "", role: $0.value) }
            + raised.map { (key: $0.key, extra: "&\($0.flag)=true", role: $0.role) }
        for (key, extra, role) in rows {
            guard let call = calls[key] else { continue }
            let method = String(key.prefix { $0 != " " })
            var path = String(key.drop { $0 != " " }.dropFirst())
            if path == "/v1/blobs/{digest}" { path = method == "GET" ? "/v1/blobs/\(manifest)?ref=churn@1" : "/v1/blobs/\(uploaded)" }
            for credential in [nil, "mreg_garbage"] + (Self.roles + ["expired", "revoked"]).map({ tokens[$0]! }) as [String?] {
                let name = credential.flatMap { secret in tokens.first { $0.value == secret }?.key } ?? (credential == nil ? "no token" : "garbage")
                let query = call.query.replacingOccurrences(of: "NAME", with: name.replacingOccurrences(of: " ", with: "-")) + extra
                let target = path + (query.isEmpty ? "" : (path.contains("?") ? "&" : "?") + query)
                let answer = method == "PUT"
                    ? try server.upload(target, file: space.directory.url("blob.bin"), token: credential)
                    : try server.request(target, token: credential, method: method, body: call.body)
                let context = "\(key)\(extra) as \(name): \(answer.status) \(answer.body.prefix(300))"
                if let rank = Self.roles.firstIndex(of: name) {
                    if rank < Self.roles.firstIndex(of: role)! {
                        #expect(answer.status == 403 && answer.body.contains("needs the \(role) role"), "\(context)")
                    } else {
                        #expect(![401, 403].contains(answer.status) && answer.status < 500, "\(context)")
                    }
                } else {
                    #expect(answer.status == 401 && answer.body.contains("\"unauthenticated\""), "\(context)")
                }
            }
        }
        let log = server.stop()
        #expect(log.status == 0)
        for secret in tokens.values { #expect(!log.stderr.contains(secret), "the log never holds a token") }
    }
}
