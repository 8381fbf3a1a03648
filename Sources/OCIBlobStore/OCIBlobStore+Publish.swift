import ContentHashing
import Foundation
import RegistryModel
import RegistryStorage

extension OCIBlobStore {
    /// The artifact type of a published version, and the media types of its parts.
    ///
    /// mreg's own types rather than CNCF ModelPack's: a version's config is mreg's manifest
    /// (files, parameters, datasets, metrics, git), not a ModelPack config, and a file is any
    /// file of the model, not only weights. Tools that fetch by digest (skopeo, oras, crane)
    /// need no knowledge of them.
    static let modelArtifactType = "application/vnd.mreg.model.v1"
    static let fileMediaType = "application/vnd.mreg.file.v1"
    /// The file's path in the version, as oras and others name the file they write.
    static let pathAnnotation = "org.opencontainers.image.title"
    /// The file's mode (`0755` executable, `0644` not).
    static let modeAnnotation = "vnd.mreg.file.mode"

    /// Publishes the version as an image manifest tagged `vN` in `PREFIX/MODEL`, its blobs
    /// mounted from the blob repository (no bytes move when the registry supports mounting).
    public func publish(_ version: PublishableVersion) throws(ContentStoreError) -> PublicationResult {
        let repository = address.repository(version.model)
        guard OCIAddress.isRepositoryPath(repository), version.model != OCIAddress.blobRepositoryName else {
            return .skipped(reason: "the model name '\(version.model)' is not a repository name the OCI registry accepts")
        }
        let config = OCIDescriptor(mediaType: version.manifestMediaType, digest: version.manifestDigest, size: version.manifestSize)
        let layers = version.files.map { file in
            OCIDescriptor(
                mediaType: Self.fileMediaType, digest: file.digest, size: file.size,
                annotations: [Self.pathAnnotation: file.path, Self.modeAnnotation: file.executable ? "0755" : "0644"])
        }
        var seen = Set<Digest>()
        for blob in [config] + layers where seen.insert(blob.digest).inserted {
            try mount(blob.digest, size: blob.size, into: repository)
        }
        let manifest = OCIImageManifest(
            artifactType: Self.modelArtifactType, config: config, layers: layers,
            annotations: [
                Self.createdAnnotation: version.createdAt, "vnd.mreg.model": version.model, "vnd.mreg.version": String(version.number),
            ])
        let tag = "v\(version.number)"
        try putManifest(manifest, repository: repository, reference: tag)
        return .published(reference: "\(address.authority)/\(repository):\(tag)")
    }

    /// Deletes the image tagged `vN` in `PREFIX/MODEL`. The distribution API deletes a manifest
    /// by its digest, and its tags with it (each version's image is its own: its annotations
    /// name its number). Its layers' bytes stay in the registry's storage while another image or
    /// mreg's blob repository holds them; the registry's own garbage collection frees the rest.
    public func unpublish(model: String, number: Int) throws(ContentStoreError) -> UnpublicationResult {
        let repository = address.repository(model)
        guard OCIAddress.isRepositoryPath(repository), model != OCIAddress.blobRepositoryName else { return .absent }
        let tag = "v\(number)"
        let head = try client.send(.HEAD, "/v2/\(repository)/manifests/\(tag)", headers: [("Accept", Self.imageManifestType)])
        if head.status == 404 { return .absent }
        guard head.status == 200, let digest = head.header("Docker-Content-Digest") else {
            throw client.failure("looking up the image \(repository):\(tag)", head)
        }
        let response = try client.send(.DELETE, "/v2/\(repository)/manifests/\(digest)")
        switch response.status {
        case 200, 202, 404: return .removed(reference: "\(address.authority)/\(repository):\(tag)")
        case 405: return .kept(reason: "the OCI registry at \(address.authority) does not allow deleting images (deletion is disabled in its configuration)")
        case 400..<500: return .kept(reason: "the OCI registry at \(address.authority) refused to delete it: \(client.describe(response))")
        default: throw client.failure("deleting the image \(repository):\(tag)", response)
        }
    }

    /// Makes a stored blob available in another repository: present already, mounted across
    /// repositories, or (where the registry does not mount) copied through a temporary file.
    private func mount(_ digest: Digest, size: Int64, into repository: String) throws(ContentStoreError) {
        let present = try client.send(.HEAD, "/v2/\(repository)/blobs/\(digest)")
        if present.status == 200 { return }
        let response = try client.send(
            .POST, "/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(blobRepository)", headers: [("Content-Length", "0")])
        switch response.status {
        case 201:
            return
        case 202:
            // The registry opened an ordinary upload instead: close it and copy the bytes.
            if let location = response.header("Location") { _ = try? client.send(.DELETE, location) }
            try copy(digest, size: size, into: repository)
        default:
            throw client.failure("mounting blob \(digest) into \(repository)", response)
        }
    }

    private func copy(_ digest: Digest, size: Int64, into repository: String) throws(ContentStoreError) {
        let staging = NSTemporaryDirectory() + "/mreg-oci-\(getpid())-\(digest.hex)"
        unlink(staging)
        defer { unlink(staging) }
        try copyVerified(digest, to: staging, executable: false, progress: nil)
        let (copied, _) = try upload(fileAt: staging, length: size, to: repository, progress: nil)
        guard copied == digest else { throw .corruptBlob(digest, actual: copied, movedTo: nil) }
    }
}
