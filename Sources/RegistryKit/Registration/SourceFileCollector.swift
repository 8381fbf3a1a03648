import Foundation
import Glibc
import RegistryStorage

/// A file to ingest: where it is now, and where `export` will recreate it.
struct SourceFile: Sendable {
    let relativePath: String
    let absolutePath: String
    let size: Int64
    let executable: Bool
    /// Device, inode, size and times as `stat` saw them: the key of the ingest hint.
    let identity: SourceIdentity

    func moved(to relativePath: String) -> SourceFile {
        SourceFile(relativePath: relativePath, absolutePath: absolutePath, size: size, executable: executable, identity: identity)
    }
}

extension SourceIdentity {
    init(_ info: stat) {
        self.init(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }
}

/// Walks the paths given to `register` (or `--dataset`) into a flat, sorted list of files.
///
/// A directory argument's files are recorded relative to it, a single file by its base name, and
/// with several arguments each one's base name is its top-level entry. Symlinks are followed
/// only when they stay inside the argument they were found in; special files are refused.
enum SourceFileCollector {
    static func collect(_ arguments: [String], currentDirectory: String, what: String) throws(RegistryError) -> [SourceFile] {
        guard !arguments.isEmpty else { throw .usage("no \(what) paths given") }
        var files = [SourceFile]()
        for argument in arguments {
            let absolute = RegistryLocator.absolute(argument, from: currentDirectory)
            var info = stat()
            guard stat(absolute, &info) == 0 else {
                if lstat(absolute, &info) == 0 {
                    throw .notFound("'\(argument)' is a symlink whose target does not exist", hint: "point it at an existing file")
                }
                throw .notFound("'\(argument)' does not exist", hint: "check the path")
            }
            let baseName = URL(fileURLWithPath: absolute).lastPathComponent
            let prefix = arguments.count == 1 ? "" : baseName + "/"
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                try requireReadable(absolute, shown: argument)
                files.append(SourceFile(
                    relativePath: baseName, absolutePath: absolute, size: Int64(info.st_size), executable: info.st_mode & S_IXUSR != 0,
                    identity: SourceIdentity(info)))
            case S_IFDIR:
                let root = try realPath(absolute, shown: argument)
                var found = [SourceFile]()
                var visited = Set<String>()
                try walk(directory: absolute, relative: "", root: root, shown: argument, visited: &visited, into: &found)
                guard !found.isEmpty else { throw .usage("directory '\(argument)' contains no files", hint: "register the folder that holds the model files") }
                files += found.map { $0.moved(to: prefix + $0.relativePath) }
            default:
                throw .usage("'\(argument)' is not a regular file or directory", hint: "only regular files and folders can be registered")
            }
        }
        files.sort { $0.relativePath.utf8.lexicographicallyPrecedes($1.relativePath.utf8) }
        for (previous, next) in zip(files, files.dropFirst()) where previous.relativePath == next.relativePath {
            throw .usage("two \(what) arguments both provide '\(next.relativePath)'", hint: "give the files distinct names, or put them in one folder")
        }
        return files
    }

    private static func walk(
        directory: String, relative: String, root: String, shown: String, visited: inout Set<String>, into files: inout [SourceFile]
    ) throws(RegistryError) {
        let real = try realPath(directory, shown: shown)
        guard visited.insert(real).inserted else {
            throw .usage("'\(shown)' contains a symlink loop at '\(relative)'", hint: "remove the link that points back up the tree")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw .usage("cannot list '\(directory)'", hint: "check its permissions")
        }
        for name in names {
            let path = directory + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            var link = stat()
            guard lstat(path, &link) == 0 else { throw .notFound("'\(path)' disappeared while it was read") }
            if link.st_mode & S_IFMT == S_IFLNK {
                guard let target = try? realPath(path, shown: shown) else {
                    throw .usage("'\(path)' is a symlink whose target does not exist", hint: "remove it or point it at a file inside '\(shown)'")
                }
                guard target == root || target.hasPrefix(root + "/") else {
                    throw .usage("'\(path)' is a symlink to '\(target)', outside '\(shown)'", hint: "copy the file into the folder instead of linking to it")
                }
            }
            var info = stat()
            guard stat(path, &info) == 0 else { throw .notFound("'\(path)' disappeared while it was read") }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                try requireReadable(path, shown: path)
                files.append(SourceFile(
                    relativePath: relativePath, absolutePath: path, size: Int64(info.st_size), executable: info.st_mode & S_IXUSR != 0,
                    identity: SourceIdentity(info)))
            case S_IFDIR:
                try walk(directory: path, relative: relativePath, root: root, shown: shown, visited: &visited, into: &files)
            default:
                throw .usage("'\(path)' is a special file (fifo, socket or device)", hint: "only regular files and folders can be registered")
            }
        }
    }

    private static func realPath(_ path: String, shown: String) throws(RegistryError) -> String {
        guard let resolved = realpath(path, nil) else { throw .notFound("cannot resolve '\(shown)'") }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func requireReadable(_ path: String, shown: String) throws(RegistryError) {
        guard access(path, R_OK) == 0 else { throw .usage("'\(shown)' is not readable", hint: "check its permissions") }
    }
}
