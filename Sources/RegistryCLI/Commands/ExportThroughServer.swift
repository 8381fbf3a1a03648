import ContentHashing
import ContentStore
import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer
import RegistryStorage

/// `mreg export` through `mreg serve`: the client asks which version the reference names,
/// downloads its manifest and checks it against the version's digest, then downloads every
/// file the manifest names (both cores), re-hashing each as it is written. The tree is built
/// beside the destination and renamed into place, as a local export is: a failed or cut-off
/// download leaves nothing that looks whole.
extension ExportCommand {
    /// The largest manifest the client reads whole (a manifest lists files; it holds no data).
    static let manifestLimit = 64 << 20

    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        let version = try ServerClient.version(reference, connection: connection)
        let digest = version.digest
        let pinned = "\(version.model)@\(version.number)"
        let manifest = try manifestFiles(digest, of: pinned, connection: connection)
        let outcome = try Registry.export(
            ExportedVersion(model: version.model, number: version.number, manifestDigest: digest, files: manifest), to: destination, force: force,
            currentDirectory: invocation.currentDirectory, progress: invocation.progress(global)
        ) { (file, path, task) throws(RegistryError) in
            try Self.download(file, of: pinned, to: path, connection: connection, progress: task)
        }
        try report(outcome, invocation: invocation)
        return 0
    }

    /// The files the version's manifest names, from a manifest whose bytes hash to its digest.
    private func manifestFiles(_ digest: Digest, of version: String, connection: ServerConnection) throws(RegistryError) -> [FileEntry] {
        let received = BytesReceived(limit: Self.manifestLimit)
        let answer = try connection.download(RegistryServer.blobPrefix + digest.description, query: [("ref", version)]) { chunk throws(RegistryError) in
            try received.append(chunk, what: "the manifest of \(version)")
        }
        guard answer.status == 200 else { throw ServerClient.failure(answer, connection: connection) }
        let bytes = received.bytes
        let actual = StreamingSHA256.hash(bytes)
        guard actual == digest else {
            throw RegistryError(.integrity, "the server sent a manifest for \(version) that hashes to \(actual), not \(digest)", hint: "nothing was written; run 'mreg verify \(version)' on the server's registry")
        }
        guard let parsed = try? JSONParser.parse(bytes), let files = Manifest.files(inManifest: parsed) else {
            throw RegistryError(.integrity, "the manifest of \(version) (\(digest)) does not list its files as mreg writes them", hint: "nothing was written; run 'mreg verify \(version)' on the server's registry")
        }
        return files
    }

    /// Downloads one file to a new file at `path`, kept only when its bytes are the file's digest.
    private static func download(
        _ file: FileEntry, of version: String, to path: String, connection: ServerConnection, progress: (any ProgressObserver)?
    ) throws(RegistryError) {
        let writer: VerifiedFileWriter
        do throws(ContentStoreError) {
            writer = try VerifiedFileWriter(creating: path)
        } catch {
            throw RegistryError(error)
        }
        let answer = try connection.download(RegistryServer.blobPrefix + file.digest.description, query: [("ref", version)]) { chunk throws(RegistryError) in
            do throws(ContentStoreError) {
                try writer.write(chunk)
            } catch {
                throw RegistryError(error)
            }
            progress?.advance(by: chunk.count)
        }
        guard answer.status == 200 else {
            writer.discard()
            throw ServerClient.failure(answer, connection: connection)
        }
        do throws(ContentStoreError) {
            try writer.finish(expecting: file.digest, executable: file.executable)
        } catch {
            if case .corruptBlob(_, let actual, _) = error {
                throw RegistryError(
                    .integrity, "the server sent bytes for \(file.path) of \(version) that hash to \(actual), not \(file.digest)",
                    hint: "nothing was written; run 'mreg verify \(version)' on the server's registry")
            }
            throw RegistryError(error)
        }
    }
}

/// A small body gathered whole, up to a limit.
///
/// `@unchecked Sendable`: one download appends to it, one chunk after another, and it is read
/// after the download completed.
private final class BytesReceived: @unchecked Sendable {
    private(set) var bytes = [UInt8]()
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: UnsafeRawBufferPointer, what: String) throws(RegistryError) {
        guard bytes.count + chunk.count <= limit else {
            throw RegistryError(.integrity, "\(what) is over \(limit >> 20) MiB", hint: "nothing was written; is the server an mreg server?")
        }
        bytes += chunk
    }
}
