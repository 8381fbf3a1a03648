import RegistryModel

/// Recognises the CI provider running a command from its well-known environment variables.
///
/// The environment is passed in (the command line reads it), so this stays a pure function.
public enum CIEnvironment {
    public static func registrant(user: String, host: String, environment: [String: String]) -> Registrant {
        let (provider, job, url) = detect(environment)
        return Registrant(user: user, host: host, ciProvider: provider, ciJobID: job, ciJobURL: url)
    }

    static func detect(_ env: [String: String]) -> (provider: String?, jobID: String?, url: String?) {
        if env["GITHUB_ACTIONS"] == "true" {
            let run = env["GITHUB_RUN_ID"]
            let job = [run, env["GITHUB_JOB"]].compactMap { $0 }.joined(separator: "/")
            var url: String?
            if let server = env["GITHUB_SERVER_URL"], let repository = env["GITHUB_REPOSITORY"], let run {
                url = "\(server)/\(repository)/actions/runs/\(run)"
            }
            return ("github-actions", job.isEmpty ? nil : job, url)
        }
        if env["GITLAB_CI"] != nil { return ("gitlab-ci", env["CI_JOB_ID"], env["CI_JOB_URL"]) }
        if env["JENKINS_URL"] != nil { return ("jenkins", env["BUILD_TAG"] ?? env["BUILD_NUMBER"], env["BUILD_URL"]) }
        if env["CIRCLECI"] != nil { return ("circleci", env["CIRCLE_WORKFLOW_JOB_ID"] ?? env["CIRCLE_BUILD_NUM"], env["CIRCLE_BUILD_URL"]) }
        if env["BUILDKITE"] != nil { return ("buildkite", env["BUILDKITE_JOB_ID"], env["BUILDKITE_BUILD_URL"]) }
        if env["TF_BUILD"] != nil { return ("azure-pipelines", env["BUILD_BUILDID"], nil) }
        if env["CI"] == "true" || env["CI"] == "1" { return ("ci", nil, nil) }
        return (nil, nil, nil)
    }
}
