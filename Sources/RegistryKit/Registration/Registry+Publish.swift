import RegistryModel
import RegistryStorage

extension Registry {
    /// Publishes a recorded version where the blob store offers that (an OCI registry: an image
    /// tagged `MODEL:vN` that tools without mreg can fetch). Idempotent, so the same command run
    /// again completes a publication a failure interrupted. Returns a warning when the version
    /// cannot be published there. `manifest` is the version's manifest when the caller holds it
    /// (a registration has just stored it); otherwise it is read back, verified.
    func publish(_ version: VersionRecord, manifest held: [UInt8]? = nil) throws(RegistryError) -> String? {
        guard let publisher = blobs as? any VersionPublishing else { return nil }
        let manifest: [UInt8]
        if let held {
            manifest = held
        } else {
            manifest = try storeBlob { () throws(ContentStoreError) in try blobs.readVerified(version.manifestDigest) }
        }
        // The image's config is the manifest, typed as the manifest says it is (v1 or v2).
        guard case .object(let fields) = try? JSONParser.parse(manifest), case .string(let mediaType) = fields["media_type"] else {
            throw RegistryError(.integrity, "the manifest of \(version.model)@\(version.number) names no media type", hint: "run 'mreg verify --all'")
        }
        let publishable = PublishableVersion(
            model: version.model.value, number: version.number, manifestDigest: version.manifestDigest, manifestSize: Int64(manifest.count),
            manifestMediaType: mediaType, files: version.files, createdAt: Timestamp.format(version.createdAt))
        let result: PublicationResult
        do {
            result = try publisher.publish(publishable)
        } catch {
            let mapped = RegistryError(error)
            throw RegistryError(
                mapped.kind, "\(version.model)@\(version.number) is recorded, but publishing its image failed: \(mapped.message)",
                hint: "run the same command again to publish it")
        }
        switch result {
        case .published: return nil
        case .skipped(let reason): return "note: \(version.model)@\(version.number) is not published as an OCI image: \(reason)"
        }
    }

    /// Removes a deleted version's published image where the blob store publishes, so that a
    /// deploy job without mreg cannot fetch it either. Returns a note when the store keeps it.
    func unpublish(_ version: VersionRecord) throws(RegistryError) -> String? {
        guard let publisher = blobs as? any VersionPublishing else { return nil }
        let name = "\(version.model)@\(version.number)"
        let result: UnpublicationResult
        do {
            result = try publisher.unpublish(model: version.model.value, number: version.number)
        } catch {
            let mapped = RegistryError(error)
            throw RegistryError(
                mapped.kind, "\(name) is deleted, but removing its OCI image failed: \(mapped.message)",
                hint: "run 'mreg delete \(name) --reason …' again once the registry answers: it removes the image of a deleted version")
        }
        switch result {
        case .removed, .absent: return nil
        case .kept(let reason): return "note: \(name)'s OCI image stays fetchable: \(reason)"
        }
    }
}
