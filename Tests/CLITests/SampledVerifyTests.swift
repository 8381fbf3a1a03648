import Foundation
import RegistryTestSupport
import Testing

/// `verify --sample`: a corrupted blob is found by the run whose sample covers it, consecutive
/// seeds of a share cover the whole store once, and a missing blob is found by every run.
@Suite struct SampledVerifyTests {
    @Test func consecutiveSeedsCoverTheStoreAndFindEveryCorruptedBlob() throws {
        let space = try CLIWorkspace()
        let versions = 16
        try space.registerVersions((0..<versions).map { 0.8 + Double($0) / 100 })
        // Six files altered to other bytes of the same length: only re-hashing finds them.
        var corrupted = Set<String>()
        for index in 0..<6 {
            let files = try #require(try space.run(["show", "churn@\(index + 1)", "--json"]).json()["files"] as? [[String: Any]])
            let digest = try #require(files.first?["digest"] as? String)
            try alterStoredBlob(space.registry, hex: String(digest.dropFirst(7)), to: "WEIGHTS churn \(index)")
            corrupted.insert(digest)
        }
        var found = Set<String>()
        var rehashed = 0
        var checked = 0
        for seed in 0..<4 {
            let result = try space.run(["verify", "--all", "--sample", "25%", "--seed", "\(seed)", "--json"])
            try expectValid(result, schema: "verify")
            let document = try result.json()
            let sample = try #require(document["sample"] as? [String: Any])
            #expect(sample["percent"] as? Double == 25 && sample["seed"] as? Int == seed)
            rehashed += sample["blobs_rehashed"] as? Int ?? 0
            checked = document["blobs_checked"] as? Int ?? 0
            let problems = document["problems"] as? [[String: Any]] ?? []
            let corrupt = problems.filter { $0["kind"] as? String == "corrupt" }.compactMap { $0["digest"] as? String }
            #expect(found.isDisjoint(with: corrupt), "seed \(seed): the windows of consecutive seeds do not overlap")
            found.formUnion(corrupt)
            #expect(result.status == (problems.isEmpty ? 0 : 5))
        }
        #expect(found == corrupted, "four quarters find all six")
        #expect(checked >= versions * 2 && rehashed == checked, "the quarters re-hash every blob exactly once: \(rehashed) of \(checked)")
    }

    @Test func everyRunFindsAMissingBlobWhateverItsSample() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.8, 0.81, 0.82, 0.83])
        let files = try #require(try space.run(["show", "churn@2", "--json"]).json()["files"] as? [[String: Any]])
        let digest = try #require(files.first?["digest"] as? String)
        try removeStoredBlob(space.registry, hex: String(digest.dropFirst(7)))
        for (sample, seed) in [("1B", "0"), ("1B", "7"), ("10%", "3")] {
            let result = try space.run(["verify", "--all", "--sample", sample, "--seed", seed, "--json"])
            #expect(result.status == 5)
            let problems = try result.json()["problems"] as? [[String: Any]] ?? []
            #expect(problems.contains { $0["kind"] as? String == "missing" && $0["digest"] as? String == digest }, "\(sample) seed \(seed): \(result.stdout)")
            let rehashedCount = (try result.json()["sample"] as? [String: Any])?["blobs_rehashed"] as? Int
            if sample == "1B" { #expect(rehashedCount == 1, "a one-byte budget re-hashes one blob") }
        }
        let text = try space.run(["verify", "--all", "--sample", "50%", "--seed", "1"])
        #expect(text.stdout.contains("re-hashed (50%, seed 1)"), "\(text.stdout)")
        try space.expectRefusal(["verify", "--all", "--sample", "lots"], status: 64, mentioning: "--sample 'lots'")
        try space.expectRefusal(["verify", "--all", "--seed", "3"], status: 64, mentioning: "give --sample too")
    }
}
