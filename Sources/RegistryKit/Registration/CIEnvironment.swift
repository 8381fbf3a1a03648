import RegistryModel

/// Recognises the CI provider running a command from its well-known environment variables.
///
/// The environment is passed in (the command line reads it), so this stays a pure function.
public enum CIEnvironment {
    public static func registrant(user: String, host: String, environment: [String: String]) -> Registrant {
        let (provider, job, url) = detect(environment)
        return Registrant(user: user, host: host, ciProvider: provider, ciJobID: job, ciJobURL: url, ciActor: provider.flatMap { actor($0, environment) })
    }

    /// Who the provider says started the job: on a runner `USER` is the runner's account.
    static func actor(_ provider: String, _ env: [String: String]) -> String? {
        let names: [String] = switch provider {
        case "github-actions": ["GITHUB_TRIGGERING_ACTOR", "GITHUB_ACTOR"]
        case "gitlab-ci": ["GITLAB_USER_LOGIN", "GITLAB_USER_EMAIL", "GITLAB_USER_NAME"]
        case "jenkins": ["BUILD_USER_ID", "BUILD_USER_EMAIL", "BUILD_USER"]
        case "circleci": ["CIRCLE_USERNAME"]
        case "buildkite": ["BUILDKITE_BUILD_CREATOR_EMAIL", "BUILDKITE_BUILD_CREATOR", "BUILDKITE_BUILD_AUTHOR_EMAIL"]
        case "azure-pipelines": ["BUILD_REQUESTEDFOREMAIL", "BUILD_REQUESTEDFOR"]
        case "bitbucket-pipelines": ["BITBUCKET_STEP_TRIGGERER_UUID"]
        case "travis-ci": ["TRAVIS_COMMIT_AUTHOR"]
        case "drone": ["DRONE_BUILD_TRIGGER", "DRONE_COMMIT_AUTHOR"]
        default: []
        }
        return names.lazy.compactMap { env[$0] }.first { !$0.isEmpty }
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
        if env["BITBUCKET_BUILD_NUMBER"] != nil { return ("bitbucket-pipelines", env["BITBUCKET_BUILD_NUMBER"], nil) }
        if env["TRAVIS"] == "true" { return ("travis-ci", env["TRAVIS_JOB_ID"], env["TRAVIS_JOB_WEB_URL"]) }
        if env["DRONE"] == "true" { return ("drone", env["DRONE_BUILD_NUMBER"], env["DRONE_BUILD_LINK"]) }
        if env["CI"] == "true" || env["CI"] == "1" { return ("ci", nil, nil) }
        return (nil, nil, nil)
    }
}
