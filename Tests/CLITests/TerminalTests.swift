import Foundation
import RegistryTestSupport
import Testing

/// Progress bars appear only on a terminal; `script` gives the command a real pseudo-terminal.
@Suite struct TerminalTests {
    @Test func progressBarsShowBytesRateAndETAOnATerminalOnly() throws {
        let space = try CLIWorkspace()
        var random = SeededGenerator(seed: 5)
        try writeFile(space.directory.url("m/w.bin"), random.bytes(24 << 20))
        let command = "\(mregExecutable) register churn m --no-git 2>&1"
        let onTerminal = try run("/usr/bin/script", ["-qec", command, "/dev/null"], in: space.path)
        #expect(onTerminal.status == 0, "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("ingest churn"))
        #expect(onTerminal.stdout.contains("/s ETA"))
        #expect(onTerminal.stdout.contains("MiB/24.0 MiB"))
        let verify = try run("/usr/bin/script", ["-qec", "\(mregExecutable) verify 2>&1", "/dev/null"], in: space.path)
        #expect(verify.stdout.contains("verify ") && verify.stdout.contains("ETA"))
        let quiet = try run("/usr/bin/script", ["-qec", "\(mregExecutable) export churn out --quiet 2>&1", "/dev/null"], in: space.path)
        #expect(quiet.status == 0 && !quiet.stdout.contains("ETA"))
        let piped = try space.run(["export", "churn", "out2"])
        #expect(piped.status == 0 && !piped.stderr.contains("ETA"))
        try assertRegistryConsistent(space.registry)
    }
}
