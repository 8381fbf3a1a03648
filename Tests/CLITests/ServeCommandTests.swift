import Foundation
import RegistryTestSupport
import Testing

/// `mreg serve`: a real server process on loopback, answered with the CLI's own documents, and
/// refused without a token whose role and grants allow the call.
@Suite struct ServeCommandTests {
    @Test func answersAreTheCLIsDocumentsForATokenAndRefusalsAreJSON() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git", "-q", "--metric", "holdout.auc=0.91"]).status == 0)
        try writeFile(space.directory.url("f/w.bin"), "fraud weights")
        #expect(try space.run(["register", "fraud-eu", "f", "--no-git", "-q"]).status == 0)
        let tokenFile = space.directory.url("admin.token")
        let server = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--bootstrap-admin-token", tokenFile])
        let admin = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
        #expect(mode == 0o600 && admin.hasPrefix("mreg_"))

        #expect(try server.request("/healthz").status == 200)
        #expect(try server.request("/readyz").status == 200)
        for (path, command) in [
            ("/v1/show?ref=churn@1", ["show", "churn@1", "--json"]), ("/v1/list", ["list", "--json"]),
            ("/v1/list?model=churn", ["list", "churn", "--json"]), ("/v1/history?model=churn&records=true", ["history", "churn", "--records", "--json"]),
            ("/v1/verify?ref=churn@1", ["verify", "churn@1", "--json"]),
        ] {
            let answer = try server.request(path, token: admin)
            let printed = try space.run(command).stdout
            #expect(answer.status == 200 && answer.body == printed, "\(path): \(answer.body)")
        }

        // No token, a wrong one, a revoked one: 401 with the error document.
        let reader = try space.run(["token", "create", "fraud-reader", "--role", "reader", "--models", "fraud*"]).stdout.trimmingCharacters(in: .newlines)
        let gone = try space.run(["token", "create", "gone", "--role", "admin"]).stdout.trimmingCharacters(in: .newlines)
        #expect(try space.run(["token", "revoke", "gone"]).status == 0)
        for token in [nil, admin + "x", gone] {
            let refused = try server.request("/v1/show?ref=churn@1", token: token)
            #expect(refused.status == 401, "\(refused)")
            try expectValid(ProcessResult(status: 0, stdout: refused.body, stderr: ""), schema: "error")
            #expect(refused.body.contains("\"unauthenticated\""))
        }
        let challenge = try run("/usr/bin/env", ["curl", "-s", "-D", "-", "-o", "/dev/null", server.url + "/v1/list"], in: "/")
        #expect(challenge.stdout.lowercased().contains("www-authenticate: bearer realm=\"mreg\""), "\(challenge.stdout)")
        // A token may read the models it is granted only.
        let forbidden = try server.request("/v1/show?ref=churn@1", token: reader)
        #expect(forbidden.status == 403 && forbidden.body.contains("may act on models fraud*, not on 'churn'"), "\(forbidden)")
        #expect(try server.request("/v1/show?ref=fraud-eu@1", token: reader).status == 200)
        let models = try server.request("/v1/list", token: reader)
        #expect(models.body.contains("fraud-eu") && !models.body.contains("churn"), "\(models.body)")

        // Unknown endpoints, methods and references.
        #expect(try server.request("/v1/nope", token: admin).status == 404)
        #expect(try server.request("/v1/show?ref=churn@1", token: admin, method: "POST").status == 405)
        let missing = try server.request("/v1/show?ref=churn@9", token: admin)
        let printed = try space.run(["show", "churn@9", "--json"]).stdout
        #expect(missing.status == 404 && missing.body == printed, "the CLI's error document: \(missing.body) against \(printed)")
        #expect(try server.request("/v1/show", token: admin).status == 400)

        // A damaged blob: the report says so (ok: false), and it is counted.
        let file = try #require((try space.run(["show", "churn@1", "--json"]).json()["files"] as? [[String: Any]])?.first?["digest"] as? String)
        try alterStoredBlob(space.registry, hex: String(file.dropFirst("sha256:".count)), to: "tampered")
        let damaged = try server.request("/v1/verify?ref=churn@1", token: admin)
        #expect(damaged.status == 200 && damaged.body.contains("\"ok\" : false"), "\(damaged)")
        #expect(try server.request("/metrics").body.contains("mreg_verify_failures_total 1\n"))

        let (status, log) = server.stop()
        #expect(status == 0, "\(log)")
        #expect(!log.contains(admin) && !log.contains(reader), "a secret was logged")
        #expect(log.contains("\"principal\":\"fraud-reader\"") && log.contains("\"status\":403"), "\(log)")
    }

    /// `show` is answered again from memory while the ledger's head and the trusted keys are
    /// unchanged; a change made by another process (a write, a key file removed) is seen at
    /// once, and a revoked token is refused even for a remembered answer.
    @Test func showIsAnsweredFromMemoryOnlyWhileNothingChanged() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91])
        for step in [["keys", "generate", "release", "--out", "."], ["keys", "trust", "release.pub"], ["sign", "churn@1", "--key", "release.key"]] {
            #expect(try space.run(step + ["-q"]).status == 0, "\(step)")
        }
        let server = try ServerProcess(registry: space.registry, in: space.path)
        let reader = try space.run(["token", "create", "reader", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        func served(_ reference: String) throws -> String {
            let answer = try server.request("/v1/show?ref=\(reference)", token: reader)
            #expect(answer.status == 200, "\(answer)")
            return answer.body
        }
        func lookups(_ outcome: String) throws -> Int {
            let text = try server.request("/metrics").body
            let line = text.split(separator: "\n").first { $0.hasPrefix("mreg_answer_cache_lookups_total{outcome=\"\(outcome)\"}") }
            return line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? 0
        }
        func expectServedAsPrinted(_ reference: String, _ why: String) throws {
            let printed = try space.run(["show", reference, "--json"]).stdout
            #expect(try served(reference) == printed, "\(reference) \(why)")
        }

        try expectServedAsPrinted("churn@1", "first asked")
        try expectServedAsPrinted("churn@1", "asked again")
        #expect(try lookups("hit") == 1 && lookups("miss") == 1)
        #expect(try served("churn@1").contains("\"state\" : \"valid\""))

        // Writes by another process, each seen by the next call.
        #expect(try space.run(["annotate", "churn@1", "--label", "owner=risk", "-q"]).status == 0)
        try expectServedAsPrinted("churn@1", "after annotate")
        #expect(try served("churn@1").contains("owner"))
        #expect(try space.run(["promote", "churn@1", "--to", "production", "-q"]).status == 0)
        try expectServedAsPrinted("churn@production", "after the first promotion")
        try expectServedAsPrinted("churn@production", "again")
        #expect(try space.run(["promote", "churn@2", "--to", "production", "-q"]).status == 0)
        try expectServedAsPrinted("churn@production", "after the second promotion")
        #expect(try space.run(["delete", "churn@1", "--reason", "superseded", "-q"]).status == 0)
        try expectServedAsPrinted("churn@1", "after delete")
        #expect(try served("churn@1").contains("superseded"))

        // The key is no longer trusted: no event, only its file gone.
        try expectServedAsPrinted("churn@1", "before the key goes")
        try FileManager.default.removeItem(atPath: space.registry + "/keys/release.pub")
        try expectServedAsPrinted("churn@1", "after the key went")
        #expect(try served("churn@1").contains("\"state\" : \"untrusted\""))

        // A remembered answer is still only for a usable token.
        #expect(try space.run(["token", "revoke", "reader", "-q"]).status == 0)
        #expect(try server.request("/v1/show?ref=churn@1", token: reader).status == 401)
        #expect(try lookups("hit") >= 3, "the unchanged calls were answered from memory")
        #expect(server.stop().status == 0)

        // --answer-cache 0 remembers nothing.
        let uncached = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--answer-cache", "0"])
        let admin = try space.run(["token", "create", "admin2", "--role", "admin", "-q"]).stdout.trimmingCharacters(in: .newlines)
        for _ in 0..<2 { #expect(try uncached.request("/v1/show?ref=churn@2", token: admin).status == 200) }
        #expect(try !uncached.request("/metrics").body.contains("mreg_answer_cache_lookups_total{"))
        #expect(uncached.stop().status == 0)
    }

    /// Promotion and rollback through the server: the server's gates decide, the token's role
    /// and alias grant are enforced, and the ledger records the token as the actor.
    @Test func promotionsAndRollbacksRunTheServersGatesAndRecordTheToken() throws {
        let space = try CLIWorkspace()
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nrequire_from = \"staging\"\nmin = { \"holdout.auc\" = 0.8 }\n")
        for (tag, auc) in [("1", "0.91"), ("2", "0.5")] {
            try writeFile(space.directory.url("m\(tag)/w.bin"), "weights \(tag)")
            #expect(try space.run(["register", "churn", "m\(tag)", "--no-git", "-q", "--metric", "holdout.auc=\(auc)"]).status == 0)
        }
        func token(_ name: String, _ arguments: [String]) throws -> String {
            try space.run(["token", "create", name, "-q"] + arguments).stdout.trimmingCharacters(in: .newlines)
        }
        let stager = try token("stager", ["--role", "promoter", "--aliases", "staging"])
        let releaser = try token("releaser", ["--role", "promoter"])
        let writer = try token("ci", ["--role", "writer"])
        let server = try ServerProcess(registry: space.registry, in: space.path)

        let staged = try server.request("/v1/promote?ref=churn@1&to=staging", token: stager, method: "POST")
        #expect(staged.status == 200, "\(staged)")
        try expectValid(ProcessResult(status: 0, stdout: staged.body, stderr: ""), schema: "promote")
        let notGranted = try server.request("/v1/promote?ref=churn@1&to=production", token: stager, method: "POST")
        #expect(notGranted.status == 403 && notGranted.body.contains("may move aliases staging, not 'production'"), "\(notGranted)")
        let notPromoter = try server.request("/v1/promote?ref=churn@1&to=staging", token: writer, method: "POST")
        #expect(notPromoter.status == 403 && notPromoter.body.contains("needs the promoter role"), "\(notPromoter)")

        // A failed gate: 409 with the gate report, and nothing recorded.
        let before = try registrySnapshot(space.registry)
        let refused = try server.request("/v1/promote?ref=churn@2&to=production&reason=try", token: releaser, method: "POST")
        #expect(refused.status == 409 && refused.body.contains("\"refused\""), "\(refused)")
        try expectValid(ProcessResult(status: 0, stdout: refused.body, stderr: ""), schema: "promote")
        #expect(try registrySnapshot(space.registry) == before)
        #expect(try server.request("/v1/promote?ref=churn@1&to=production", token: releaser, method: "POST").status == 200)

        #expect(try server.request("/v1/promote?ref=churn@2&to=staging", token: stager, method: "POST").status == 200)
        let rolledBack = try server.request("/v1/rollback?model=churn&alias=staging&reason=bad%20canary", token: stager, method: "POST")
        #expect(rolledBack.status == 200, "\(rolledBack)")
        try expectValid(ProcessResult(status: 0, stdout: rolledBack.body, stderr: ""), schema: "rollback")
        #expect(try space.run(["show", "churn@staging", "--json"]).json()["version"] as? Int == 1)
        #expect(try server.request("/v1/promote?ref=churn@1&to=staging", token: stager).status == 405)

        // Every move is the token's, made on this server.
        let events = try space.run(["history", "churn", "--json"]).json()["events"] as! [[String: Any]]
        let actors = events.compactMap { ($0["actor"] as? [String: Any])?["user"] as? String }
        #expect(actors.filter { ["stager", "releaser"].contains($0) }.count == 4, "\(actors)")
        #expect(events.allSatisfy { (($0["actor"] as? [String: Any])?["host"] as? String)?.hasPrefix("mreg serve on ") ?? false }, "\(events)")

        // What Prometheus scrapes (no token): requests by route and status, promotions by outcome.
        _ = try server.request("/v1/../../etc/passwd", token: releaser)
        let metrics = try server.request("/metrics")
        #expect(metrics.status == 200)
        // The Grafana dashboard reads only metrics the server emits.
        let dashboard = try String(contentsOfFile: repositoryRoot + "/scripts/grafana/mreg-serve.json", encoding: .utf8)
        #expect((try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) as? [String: Any])?["panels"] is [Any])
        let used = Set(dashboard.matches(of: /mreg_[a-z_]+/).map { String($0.output) })
        let emitted = Set(metrics.body.matches(of: /^mreg_[a-z_]+/.anchorsMatchLineEndings()).map { String($0.output) })
            .union(metrics.body.matches(of: /^# TYPE (mreg_[a-z_]+)/.anchorsMatchLineEndings()).map { String($0.output.1) })
        #expect(!used.isEmpty && used.isSubset(of: emitted), "the dashboard reads \(used.subtracting(emitted)), which the server does not emit")
        for line in [
            #"mreg_promotions_total{outcome="moved"} 3"#, #"mreg_promotions_total{outcome="refused"} 1"#, "mreg_rollbacks_total 1",
            #"mreg_http_requests_total{route="/v1/promote",method="POST",status="403"} 2"#,
            #"mreg_http_requests_total{route="/v1/promote",method="POST",status="409"} 1"#,
            #"mreg_http_requests_total{route="unknown",method="GET",status="404"} 1"#,
            #"mreg_http_request_duration_seconds_count{route="/v1/rollback",method="POST"} 1"#,
        ] {
            #expect(metrics.body.contains(line + "\n"), "\(line) in \(metrics.body)")
        }

        // The marks and demotion, with the same grants.
        #expect(try server.request("/v1/lift?ref=churn@2&rollback=staging&reason=fixed", token: stager, method: "POST").status == 200)
        #expect(try server.request("/v1/lift?ref=churn@2&reason=fixed", token: stager, method: "POST").status == 400)
        #expect(try server.request("/v1/deprecate?ref=churn@2&reason=superseded", token: stager, method: "POST").status == 200)
        #expect(try server.request("/v1/demote?model=churn&alias=production", token: stager, method: "POST").status == 403)
        let demoted = try server.request("/v1/demote?model=churn&alias=production&reason=incident", token: releaser, method: "POST")
        #expect(demoted.status == 200, "\(demoted)")
        try expectValid(ProcessResult(status: 0, stdout: demoted.body, stderr: ""), schema: "demote")
        let shown = try space.run(["show", "churn@2", "--json"]).json()
        #expect(shown["status"] as? String == "deprecated" && shown["deprecation"] as? String == "superseded" && shown["rollback"] == nil, "\(shown)")
        let aliases = try space.run(["list", "churn", "--json"]).json()["versions"] as! [[String: Any]]
        #expect(aliases.allSatisfy { !(($0["aliases"] as? [String]) ?? []).contains("production") })
        #expect(server.stop().status == 0)
    }

    /// An admin manages tokens over HTTP; a token it revokes is refused at once; nobody else may.
    @Test func adminsManageTokensThroughTheServer() throws {
        let space = try CLIWorkspace()
        let file = space.directory.url("admin.token")
        let server = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--bootstrap-admin-token", file])
        let admin = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines)
        let created = try server.request("/v1/token/create?name=deploy&role=reader&models=churn*&expires=30d", token: admin, method: "POST")
        #expect(created.status == 200, "\(created)")
        try expectValid(ProcessResult(status: 0, stdout: created.body, stderr: ""), schema: "token-create")
        let secret = try ProcessResult(status: 0, stdout: created.body, stderr: "").json()["secret"] as! String
        #expect(try server.request("/v1/list", token: secret).status == 200)
        #expect(try server.request("/v1/token/list", token: secret).status == 403, "a reader manages no tokens")
        #expect(try server.request("/v1/token/create?name=x&role=owner", token: admin, method: "POST").status == 400)
        #expect(try server.request("/v1/token/create?name=deploy&role=reader", token: admin, method: "POST").status == 409)
        let listed = try server.request("/v1/token/list", token: admin)
        try expectValid(ProcessResult(status: 0, stdout: listed.body, stderr: ""), schema: "token-list")
        #expect(listed.body.contains("\"deploy\"") && !listed.body.contains(secret))
        #expect(try server.request("/v1/token/revoke?name=deploy", token: admin, method: "POST").status == 200)
        #expect(try server.request("/v1/list", token: secret).status == 401, "revoked, refused at once")
        #expect(server.stop().status == 0)
    }

    /// Requests no client should send: each a 4xx with the error document, nothing recorded,
    /// and the server still answering afterwards.
    @Test func badRequestsAreRefusedAndTheServerKeepsServing() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git", "-q"]).status == 0)
        let admin = try space.run(["token", "create", "ops", "--role", "admin", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        let before = try registrySnapshot(space.registry)
        for (path, status, text) in [
            ("/v1/show?ref=../../etc/passwd", 400, "contains '..'"), ("/v1/show?ref=%ZZ", 400, "invalid reference"),
            ("/v1/promote?ref=churn@1", 400, "Missing expected argument '--to <alias>'"), ("/v1/list?model=churn&limit=-3", 400, "limit"),
            ("/v1/show?ref=churn@1&registry=/tmp", 400, "/v1/show takes no parameter 'registry'"),
            ("/v1/promote?ref=churn@1&to=staging&force=yes", 400, "'force' must be true or false"),
        ] {
            let method = path.hasPrefix("/v1/promote") ? "POST" : "GET"
            let answer = try server.request(path, token: admin, method: method)
            #expect(answer.status == status && answer.body.contains(text), "\(path): \(answer)")
            try expectValid(ProcessResult(status: 0, stdout: answer.body, stderr: ""), schema: "error")
        }
        // A body where none is taken: refused unread, nothing promoted.
        try writeFile(space.directory.url("big.bin"), String(repeating: "x", count: 4 << 20))
        let upload = try run("/usr/bin/env", [
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data-binary", "@big.bin",
            "-H", "Authorization: Bearer \(admin)", server.url + "/v1/promote?ref=churn@1&to=staging",
        ], in: space.path)
        #expect(upload.stdout == "413", "\(upload.stdout)")
        // A client that vanishes mid-request, and one that sends garbage.
        let port = server.url.split(separator: ":").last!
        let vanish = try run("/usr/bin/env", ["python3", "-c", """
            import socket
            s = socket.create_connection(("127.0.0.1", \(port))); s.send(b"GET /v1/list HTTP/1.1\\r\\nHost: x\\r\\n"); s.close()
            s = socket.create_connection(("127.0.0.1", \(port))); s.send(b"\\x00\\xff garbage\\r\\n\\r\\n"); s.recv(1024); s.close()
            """], in: space.path)
        #expect(vanish.status == 0, "\(vanish.stderr)")
        #expect(try registrySnapshot(space.registry) == before, "a refused request changed the registry")
        #expect(try server.request("/healthz").status == 200)
        #expect(try server.request("/v1/show?ref=churn@1", token: admin).status == 200)
        #expect(server.stop().status == 0)
    }

    /// schemas/openapi.yaml is what scripts/openapi.py writes from the endpoints today, names
    /// exactly the endpoints the server answers (the server lists them in its 404), and every
    /// schema it refers to exists.
    @Test func theOpenAPIDocumentDescribesEveryEndpoint() throws {
        let written = try run("/usr/bin/env", ["python3", repositoryRoot + "/scripts/openapi.py", mregExecutable], in: repositoryRoot)
        #expect(written.status == 0, "\(written.stderr)")
        let committed = try String(contentsOfFile: repositoryRoot + "/schemas/openapi.yaml", encoding: .utf8)
        #expect(written.stdout == committed, "schemas/openapi.yaml is stale: run scripts/openapi.py > schemas/openapi.yaml")
        let space = try CLIWorkspace()
        let server = try ServerProcess(registry: space.registry, in: space.path)
        let missing = try server.request("/v1/nope")
        #expect(server.stop().status == 0)
        let hint = try ProcessResult(status: 0, stdout: missing.body, stderr: "").json()["error"] as! [String: Any]
        let listed = (hint["hint"] as! String).replacingOccurrences(of: "the endpoints are ", with: "")
        let served = Set(listed.components(separatedBy: ", "))
        let check = try run("/usr/bin/env", ["python3", "-c", """
            import yaml, sys, pathlib
            root = pathlib.Path(sys.argv[1])
            doc = yaml.safe_load((root / "openapi.yaml").read_text())
            assert doc["openapi"].startswith("3.1"), doc["openapi"]
            refs = []
            def walk(node):
                if isinstance(node, dict):
                    if "$ref" in node: refs.append(node["$ref"])
                    for value in node.values(): walk(value)
                elif isinstance(node, list):
                    for value in node: walk(value)
            walk(doc)
            for ref in refs:
                if ref.startswith("#/"):
                    node = doc
                    for part in ref[2:].split("/"): node = node[part]
                else:
                    assert (root / ref).exists(), ref
            for path, methods in doc["paths"].items():
                for method in methods: print(method.upper(), path)
            """, repositoryRoot + "/schemas"], in: space.path)
        #expect(check.status == 0, "\(check.stderr)")
        let documented = Set(check.stdout.split(separator: "\n").map(String.init))
        #expect(documented == served, "documented only: \(documented.subtracting(served)); served only: \(served.subtracting(documented))")
    }

    /// Two servers over one registry (replicas share only the engines) take eight promotions at
    /// once: every one lands, in one order, each starting where the last one left the alias,
    /// and the ledger's chain verifies.
    @Test func replicasRacingPromotionsLoseNoMove() throws {
        let space = try CLIWorkspace()
        try space.registerVersions(Array(repeating: 0.9, count: 8))
        let token = try space.run(["token", "create", "release", "--role", "promoter", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let replicas = [try ServerProcess(registry: space.registry, in: space.path), try ServerProcess(registry: space.registry, in: space.path)]
        let clients = try (1...8).map { version in
            try launch("/usr/bin/env", [
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(token)",
                replicas[version % 2].url + "/v1/promote?ref=churn@\(version)&to=production&reason=race%20\(version)",
            ], in: space.path)
        }
        for (process, _, _) in clients { process.waitUntilExit() }
        let statuses = clients.map { String(decoding: $0.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        #expect(statuses.allSatisfy { $0 == "200" }, "\(statuses)")
        for replica in replicas { #expect(replica.stop().status == 0) }
        let events = try #require(try space.run(["history", "churn", "--alias", "production", "--all", "--json"]).json()["events"] as? [[String: Any]])
        #expect(Set(events.compactMap { ($0["to"] as? [String: Any])?["version"] as? Int }) == Set(1...8) && events.count == 8)
        let oldestFirst = Array(events.reversed())
        for (earlier, later) in zip(oldestFirst, oldestFirst.dropFirst()) {
            #expect((later["from"] as? [String: Any])?["version"] as? Int == (earlier["to"] as? [String: Any])?["version"] as? Int)
        }
        try assertRegistryConsistent(space.registry)
    }

    /// With --tls-cert and --tls-key the server answers HTTPS only, with that certificate.
    @Test func tlsServesHTTPSWithTheGivenCertificate() throws {
        let space = try CLIWorkspace()
        let made = try run("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "key.pem", "-out", "cert.pem",
        ], in: space.path)
        #expect(made.status == 0, "\(made.stderr)")
        let server = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--tls-cert", "cert.pem", "--tls-key", "key.pem"])
        #expect(server.url.hasPrefix("https://127.0.0.1:"))
        server.certificate = space.directory.url("cert.pem")
        #expect(try server.request("/healthz").status == 200)
        let plain = try run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", server.url.replacingOccurrences(of: "https:", with: "http:") + "/healthz"], in: "/")
        #expect(plain.stdout != "200", "plain HTTP is not answered")
        let untrusted = try run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", server.url + "/healthz"], in: "/")
        #expect(untrusted.status != 0, "curl without the certificate refuses it")
        #expect(server.stop().status == 0)
        try space.expectRefusal(["serve", "--tls-cert", "cert.pem"], status: 64, mentioning: "--tls-cert and --tls-key go together")
    }

    @Test func theBootstrapTokenIsWrittenOnlyWhileThereIsNoAdmin() throws {
        let space = try CLIWorkspace()
        let file = space.directory.url("admin.token")
        let first = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--bootstrap-admin-token", file])
        let secret = try String(contentsOfFile: file, encoding: .utf8)
        #expect(first.stop().status == 0)
        // An admin exists: the file is left alone, even when it is gone.
        try FileManager.default.removeItem(atPath: file)
        let second = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--bootstrap-admin-token", file])
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(second.stop().status == 0)
        let tokens = try space.run(["token", "list", "--json"]).json()["tokens"] as! [[String: Any]]
        #expect(tokens.count == 1 && tokens[0]["role"] as? String == "admin" && !secret.isEmpty)
    }
}

/// A server whose stderr nobody reads (a stalled log shipper) keeps answering: its log lines
/// wait in a queue of their own, and past a bound are dropped and counted, never blocking a request.
@Suite struct ServerLogTests {
    @Test func anUnreadLogDoesNotStopTheServer() throws {
        let space = try CLIWorkspace()
        let (process, out, _) = try launch(mregExecutable, ["serve", "--registry", space.registry, "--listen", "127.0.0.1:0"], in: space.path)
        defer { process.terminate() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestFailure("mreg serve ended before listening") }
            line += chunk
        }
        let url = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "listening on ", with: "")
        // 2,000 requests write some 300 KB of log: the pipe holds 64 KB.
        let urls = Array(repeating: url + "/healthz", count: 2_000)
        let answered = try run("/usr/bin/env", ["curl", "-s", "-m", "120", "-w", "status=%{http_code}\\n"] + urls, in: space.path)
        let codes = answered.stdout.split(separator: "\n").filter { $0.hasPrefix("status=") }.map { $0.dropFirst(7) }
        #expect(codes.count == 2_000 && codes.allSatisfy { $0 == "200" }, "\(codes.count) answers, \(Set(codes))")
    }
}
