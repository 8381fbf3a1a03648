import Foundation

/// Finds the registry a command works on: `--registry PATH`, then `MREG_REGISTRY`, then the
/// nearest `registry/` folder holding a marker, searching upwards from the current directory.
public enum RegistryLocator {
    public static func locate(explicit: String?, environment: String?, currentDirectory: String) throws(RegistryError) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit, from: currentDirectory) }
        if let environment, !environment.isEmpty { return absolute(environment, from: currentDirectory) }
        var directory = URL(fileURLWithPath: currentDirectory).standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent("registry")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("registry.json").path) {
                return candidate.path
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        throw RegistryError(
            .noRegistry, "no registry found in '\(currentDirectory)' or any folder above it",
            hint: "run 'mreg init' to create ./registry, or pass --registry PATH or set MREG_REGISTRY")
    }

    /// Resolves a path typed by a user against the current directory, without touching the disk.
    public static func absolute(_ path: String, from directory: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: directory).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
