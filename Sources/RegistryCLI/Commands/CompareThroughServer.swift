import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// `mreg compare` through `mreg serve`: on the recorded evaluations, the server compares their
/// stored predictions; with prediction files, the client compares them where they are.
extension CompareCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .get, path: "/v1/compare", role: .reader, answers: ["compare"], arguments: ["ref"],
        options: ["dataset", "task", "threshold", "bootstrap", "seed", "level"], model: "ref")
    var parameters: [(String, String)] {
        [("ref", referenceA), ("ref", referenceB), ("dataset", dataset), ("bootstrap", String(bootstrap)), ("seed", String(seed)), ("level", String(level))]
            .adding("task", task).adding("threshold", threshold.map { String($0) })
    }

    /// With prediction files, the comparison runs here, where the files are: the server names
    /// both versions (as the token may see them) and its policy's lower-is-better metrics.
    /// Without, the server compares the predictions stored with the evaluations.
    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        guard predictionsA != nil || predictionsB != nil else { return try ServerClient.sendCall(self, connection: connection, invocation: invocation) }
        let settings = try settings()
        let a = try ServerClient.version(referenceA, connection: connection)
        let b = try ServerClient.version(referenceB, connection: connection)
        let outcome = try Registry.compare(
            "\(a.model)@\(a.number)", "\(b.model)@\(b.number)", predictionsA: predictionsA, predictionsB: predictionsB, settings: settings,
            lowerIsBetter: try ServerClient.lowerIsBetter(model: a.model, connection: connection), currentDirectory: invocation.currentDirectory)
        report(outcome)
        return 0
    }
}
