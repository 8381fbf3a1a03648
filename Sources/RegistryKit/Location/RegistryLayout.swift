import Foundation

/// Where each part of a registry lives on disk (see README, "On-disk layout").
public struct RegistryLayout: Sendable, Equatable {
    public static let formatName = "mreg-registry"
    /// Bumped only when an older mreg could no longer read what a newer one writes. An embedded
    /// registry is still written as format 1; one whose metadata or blobs live elsewhere is format
    /// 2, so an mreg that knows no backends refuses it instead of opening an empty local store.
    public static let formatVersion = 2
    static let embeddedFormatVersion = 1

    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var marker: String { root + "/registry.json" }
    public var database: String { root + "/registry.sqlite" }
    public var gitignore: String { root + "/.gitignore" }
    /// Promotion gates (committed with the registry; see README, "Policy").
    public var policy: String { root + "/policy.toml" }
    /// The public keys whose signatures the registry trusts, one `NAME.pub` each (committed).
    public var trustedKeysDirectory: String { root + "/keys" }
    /// Held shared by registrations and exclusively by `gc` (see `StoreLock`).
    public var gcLock: String { root + "/gc.lock" }
}

/// The marker file `registry.json`: says "this folder is an mreg registry" and in which format.
struct RegistryMarker: Codable, Equatable {
    var format: String
    var formatVersion: Int
    /// Where the metadata lives when not in `registry.sqlite`: a `postgres://` address, without secrets.
    var metadata: String?
    /// Where the blobs live when not in `blobs/`: an `oci://` address, without secrets.
    var blobs: String?
    /// Whether the blob registry is reached over plain HTTP although it is not on loopback (`--insecure`).
    var insecureBlobs: Bool?

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case metadata
        case blobs
        case insecureBlobs = "insecure_blobs"
    }
}
