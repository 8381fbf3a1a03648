import Foundation
import OCIBlobStore
import ContentStore
import RegistryKit
import RegistryStorage

/// Where a registry's blobs live: the embedded folder `blobs/`, or an OCI registry that several
/// machines share. Chosen by `mreg init --blobs` and recorded in `registry.json`.
enum BlobBackend: BlobBackendChoice, Equatable {
    case embedded(root: String)
    case oci(OCIAddress)

    /// The backend a configuration names (nil: embedded); a malformed address is a usage error.
    init(configured: String?, insecure: Bool, in layout: RegistryLayout) throws(RegistryError) {
        guard let configured else {
            self = .embedded(root: layout.root)
            return
        }
        do {
            self = .oci(try OCIAddress(parsing: configured, insecure: insecure))
        } catch {
            throw RegistryError(.usage, "the blob store address is not usable: \(error.description)", hint: "write it as oci://HOST:PORT/PREFIX")
        }
    }

    /// What `registry.json` records (nil for the embedded default, which it never names).
    var configuration: String? {
        switch self {
        case .embedded: nil
        case .oci(let address): address.description
        }
    }

    var isInsecure: Bool {
        if case .oci(let address) = self { return address.insecure && !address.isLoopback }
        return false
    }

    var description: String {
        switch self {
        case .embedded(let root): "the embedded folder \(root)/blobs"
        case .oci(let address): "the OCI registry at \(address)"
        }
    }

    /// Opens the store. A remote one is asked once (with `check`) whether it answers and accepts
    /// the credentials; the folder store gets its folders when they are missing (`init`, or a
    /// fresh clone, which has the committed marker but not the git-ignored data folders).
    ///
    /// `MREG_OCI_GC_GRACE` (seconds, default an hour) is how long `gc` keeps an unreferenced
    /// remote blob: registrations on other machines may have stored it and not yet committed.
    func open(environment: [String: String], check: Bool) throws(RegistryError) -> any BlobStoring {
        switch self {
        case .embedded(let root):
            let store = BlobStore(root: root)
            if check || !FileManager.default.fileExists(atPath: store.temporaryDirectory) {
                try Registry.storeBlob { () throws(ContentStoreError) in try store.createLayout() }
            }
            return store
        case .oci(let address):
            let grace = environment["MREG_OCI_GC_GRACE"].flatMap(Double.init) ?? 3600
            let store = OCIBlobStore(address: address, credentials: OCICredentials.find(for: address, environment: environment), collectionGrace: grace)
            if check { try Registry.storeBlob { () throws(ContentStoreError) in try store.checkReachable() } }
            return store
        }
    }
}
