import Foundation
import Policy

extension Registry {
    /// The registry's promotion policy; an absent `policy.toml` means no gates beyond status.
    public func policy() throws(RegistryError) -> Policy {
        guard let data = FileManager.default.contents(atPath: layout.policy) else {
            if FileManager.default.fileExists(atPath: layout.policy) {
                throw RegistryError(.io, "cannot read '\(layout.policy)'", hint: "check its permissions")
            }
            return Policy()
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .usage("'\(layout.policy)' is not UTF-8 text", hint: "save it as UTF-8; nothing was changed")
        }
        do {
            return try Policy.parse(text)
        } catch {
            throw .usage("'\(layout.policy)' \(error.description)", hint: "fix the policy file (README, \"Policy\"); nothing was changed")
        }
    }
}
