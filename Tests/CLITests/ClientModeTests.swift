import Foundation
import RegistryTestSupport
import Testing

/// The client-mode pass (scripts/test's third) runs the end-to-end suites through servers; this
/// proves that it does, since every other test there passes the same way on a folder.
@Suite struct ClientModeTests {
    @Test(.enabled(if: ClientMode.isOn, "only on the client-mode pass (MREG_TEST_CLIENT=1)"))
    func commandsOnARegistryGoThroughItsServer() throws {
        let workspace = try CLIWorkspace()
        // `whoami` answers only through a server: on a folder it is a usage error.
        let whoami = try workspace.run(["whoami"], environment: ["USER": "alice"])
        #expect(whoami.status == 0, "\(whoami.stderr)")
        #expect(whoami.stdout.hasPrefix("alice: admin on models *"), "\(whoami.stdout)")
        // The server records the token's name as the actor.
        try writeFile(workspace.directory.url("model.bin"), "weights")
        let registered = try workspace.run(["register", "churn", "model.bin", "--json"], environment: ["USER": "bob"])
        #expect(registered.status == 0, "\(registered.stderr)")
        let shown = try workspace.run(["show", "churn@1", "--json"])
        #expect((try shown.json()["registered_by"] as? [String: Any])?["user"] as? String == "bob", "\(shown.stdout)")
    }
}
