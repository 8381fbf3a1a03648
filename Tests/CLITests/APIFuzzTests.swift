import Foundation
import RegistryTestSupport
import Testing

/// schemathesis (from PyPI) generates requests from schemas/openapi.yaml, valid and not, against
/// a live server over a registry with versions, aliases and a dataset: no answer may be a 5xx,
/// and every answer must match the document (status, content type, schema).
@Suite struct APIFuzzTests {
    @Test func generatedRequestsGetNoServerErrorAndAnswersMatchTheSchemas() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.90, 0.93])
        #expect(try space.run(["promote", "churn@1", "--to", "production", "-q"]).status == 0)
        try writeFile(space.directory.url("data.csv"), "age,income\n31,4000\n")
        #expect(try space.run(["dataset", "add", "customers", "data.csv", "-q"]).status == 0)
        let admin = try space.run(["token", "create", "fuzz", "--role", "admin", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let server = try ServerProcess(registry: space.registry, in: space.path)
        // Revoking is left out: a generated name could be the fuzzer's own token.
        let fuzz = try run("/usr/bin/env", [
            "python3", "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())",
            "run", repositoryRoot + "/schemas/openapi.yaml", "--url", server.url, "-H", "Authorization: Bearer \(admin)",
            "--exclude-path", "/v1/token/revoke", "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
            "--max-examples", "12", "--seed", "20261202", "--no-color",
        ], in: space.path)
        let summary = fuzz.stdout.split(separator: "\n").filter { $0.contains("generated") || $0.contains("failures") || $0.contains("passed") }
        #expect(fuzz.status == 0, "schemathesis found failures:\n\(fuzz.stdout.suffix(6000))\n\(fuzz.stderr.suffix(2000))")
        #expect(fuzz.stdout.contains("passed") && !fuzz.stdout.contains("FAILURES"), "\(summary)")
        #expect(try server.request("/healthz").status == 200, "the server still answers")
        #expect(try space.run(["verify", "--all"]).status == 0, "the registry still verifies")
        #expect(server.stop().status == 0)
    }
}
