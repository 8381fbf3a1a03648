import RegistryKit
import Testing

@Suite struct CIEnvironmentTests {
    @Test(arguments: [
        (["GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "9", "GITHUB_JOB": "train", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/churn"],
         "github-actions", "9/train", "https://github.com/acme/churn/actions/runs/9"),
        (["GITLAB_CI": "true", "CI_JOB_ID": "41", "CI_JOB_URL": "https://gitlab.example/j/41"], "gitlab-ci", "41", "https://gitlab.example/j/41"),
        (["JENKINS_URL": "https://ci", "BUILD_TAG": "jenkins-churn-7", "BUILD_URL": "https://ci/7"], "jenkins", "jenkins-churn-7", "https://ci/7"),
        (["CIRCLECI": "true", "CIRCLE_BUILD_NUM": "12"], "circleci", "12", nil),
        (["BUILDKITE": "true", "BUILDKITE_JOB_ID": "b-1"], "buildkite", "b-1", nil),
        (["CI": "true"], "ci", nil, nil),
    ] as [([String: String], String, String?, String?)])
    func recognisesTheCIProvider(_ environment: [String: String], _ provider: String, _ job: String?, _ url: String?) {
        let registrant = CIEnvironment.registrant(user: "u", host: "h", environment: environment)
        #expect(registrant.ciProvider == provider)
        #expect(registrant.ciJobID == job)
        #expect(registrant.ciJobURL == url)
    }

    @Test(arguments: [
        (["GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat"], "octocat"),
        (["GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat", "GITHUB_TRIGGERING_ACTOR": "hubot"], "hubot"),
        (["GITLAB_CI": "true", "GITLAB_USER_LOGIN": "ana"], "ana"),
        (["JENKINS_URL": "https://ci", "BUILD_USER_ID": "bob"], "bob"),
        (["CIRCLECI": "true", "CIRCLE_USERNAME": "cy"], "cy"),
        (["BUILDKITE": "true", "BUILDKITE_BUILD_CREATOR_EMAIL": "d@x"], "d@x"),
        (["TF_BUILD": "True", "BUILD_REQUESTEDFOREMAIL": "e@x"], "e@x"),
        (["BITBUCKET_BUILD_NUMBER": "3", "BITBUCKET_STEP_TRIGGERER_UUID": "{u}"], "{u}"),
    ] as [([String: String], String)])
    func recordsWhoStartedTheJob(_ environment: [String: String], _ actor: String) {
        let registrant = CIEnvironment.registrant(user: "runner", host: "h", environment: environment)
        #expect(registrant.ciActor == actor && registrant.user == "runner")
    }

    @Test func aLaptopHasNoCIProvider() {
        let registrant = CIEnvironment.registrant(user: "ana", host: "laptop", environment: ["HOME": "/home/ana"])
        #expect(registrant.ciProvider == nil && registrant.ciJobID == nil && registrant.user == "ana")
    }
}
