@testable import RegistryCLI
import Testing

/// What the CLI as a client sends for each served command: every option and flag its endpoint
/// takes must reach the server. Each command's `parameters` lists them by hand, so an option
/// added to the command and the endpoint but not there would be dropped silently (as `list
/// --after` once was, caught only by the client pass).
@Suite struct EndpointParameterTests {
    /// Command lines that, together, set every option and flag of each endpoint.
    static let lines: [String: [[String]]] = [
        "/v1/list": [
            ["churn", "--limit", "5", "--after", "9", "--all", "--deleted"], ["--label", "owner=risk"],
            ["churn", "--where", "holdout.auc>=0.9", "--status", "active", "--alias", "production", "--since", "2026-01-01", "--until", "2026-02-01", "--sort", "holdout.auc:desc"],
        ],
        "/v1/show": [["churn@1"]],
        "/v1/history": [["churn", "--alias", "production", "--limit", "3", "--all", "--records"], ["churn", "--at", "2026-11-02"]],
        "/v1/verify": [["--expect-head", "sha256:" + String(repeating: "a", count: 64)], ["--all", "--sample", "5%", "--seed", "3"]],
        "/v1/lineage": [["churn@1", "--depth", "2", "--format", "dot", "--upstream"], ["churn@1", "--downstream"]],
        "/v1/policy": [["--model", "churn"]],
        "/v1/keys/list": [[]],
        "/v1/dataset/list": [[]],
        "/v1/dataset/show": [["churn-train", "--limit", "3", "--samples"]],
        "/v1/annotate": [["churn@1", "--label", "a=b", "--unset-label", "c", "--description", "d", "--reason", "r"]],
        "/v1/promote": [["churn@1", "--to", "production", "--reason", "r", "--force"], ["churn@1", "--to", "production", "--dry-run"]],
        "/v1/rollback": [["churn", "--alias", "production", "--to", "3", "--reason", "r", "--force"]],
        "/v1/demote": [["churn", "--alias", "production", "--reason", "r"]],
        "/v1/deprecate": [["churn@1", "--reason", "r"]],
        "/v1/delete": [["churn@1", "--reason", "r"]],
        "/v1/undelete": [["churn@1", "--reason", "r"]],
        "/v1/retention": [["churn", "--apply"]],
        "/v1/lift": [["churn@1", "--rollback", "production", "--reason", "r"], ["churn@1", "--deprecation", "--reason", "r"]],
        "/v1/token/create": [["ci", "--role", "writer", "--models", "churn*", "--aliases", "staging", "--expires", "90d"]],
        "/v1/token/list": [[]],
        "/v1/token/revoke": [["ci"]],
        "/v1/whoami": [[]],
        "/v1/diff": [["churn@1", "churn@2"]],
        "/v1/compare": [["churn@1", "churn@2", "--dataset", "holdout", "--task", "binary", "--threshold", "0.4", "--bootstrap", "50", "--seed", "3", "--level", "0.9"]],
        "/v1/find": [["--dataset", "sha256:" + String(repeating: "b", count: 64), "--commit", "abc123", "--blob", "sha256:" + String(repeating: "c", count: 64)]],
        "/v1/evaluate": [
            ["churn@1", "--dataset", "holdout.csv", "--as", "holdout", "--metric", "auc=0.9"],
            ["churn@1", "--dataset", "holdout.csv", "--predictions", "p.csv", "--task", "binary", "--threshold", "0.4", "--bootstrap", "10", "--seed", "2",
             "--label-column", "y", "--score-column", "s", "--slice", "region"],
            ["churn@1", "--dataset", "holdout.csv", "--predictions", "p.csv", "--task", "multiclass", "--prediction-column", "p"],
            ["churn@1", "--dataset", "holdout.csv", "--predictions", "p.csv", "--task", "ranking", "--k", "5", "--query-column", "q"],
            ["churn@1", "--dataset", "holdout.csv", "--predictions", "p.csv", "--task", "regression", "--features", "12"],
        ],
        "/v1/drift": [["churn@1", "--data", "today.csv", "--against", "holdout", "--file", "a.csv", "--psi", "0.3", "--alpha", "0.01", "--missing", "0.1", "--record"]],
        "/v1/drift/list": [["churn@1", "--limit", "5", "--after", "40"]],
        "/v1/drift/show": [["churn", "40"]],
    ]

    @Test func everyOptionOfEveryEndpointReachesTheServer() throws {
        for type in ServeCommand.served {
            let endpoint = type.endpoint
            let lines = try #require(Self.lines[endpoint.path], "no command lines for \(endpoint.path): add some that set each of its options")
            var covered = Set<String>()
            for line in lines {
                let command: any ServedCommand
                do {
                    command = try type.parse(line)
                } catch {
                    Issue.record("\(endpoint.path): \(line) does not parse: \(error)")
                    continue
                }
                let sent = Set(command.parameters.map(\.0))
                for name in endpoint.options + endpoint.flags where line.contains(Endpoint.option(name)) {
                    covered.insert(name)
                    #expect(sent.contains(name), "\(endpoint.path): \(Endpoint.option(name)) is set in \(line) but not sent")
                }
            }
            #expect(covered == Set(endpoint.options + endpoint.flags), "\(endpoint.path): the lines set \(covered.sorted()), not every option and flag")
        }
    }
}
