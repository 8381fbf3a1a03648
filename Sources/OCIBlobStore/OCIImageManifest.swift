import Foundation
import RegistryModel

/// A content descriptor of the OCI image spec: what a manifest says about one blob.
struct OCIDescriptor: Encodable {
    let mediaType: String
    let digest: Digest
    let size: Int64
    var annotations: [String: String]?
    /// The blob's bytes inline (base64), for the empty descriptor.
    var data: String?

    init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, data: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.data = data
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mediaType, forKey: .mediaType)
        try container.encode(digest.description, forKey: .digest)
        try container.encode(size, forKey: .size)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encodeIfPresent(data, forKey: .data)
    }

    enum CodingKeys: String, CodingKey { case mediaType, digest, size, annotations, data }

    /// `{}`: the OCI 1.1 empty descriptor, the config of an artifact that needs none.
    static let emptyBytes: [UInt8] = Array("{}".utf8)
    static let empty = OCIDescriptor(
        mediaType: "application/vnd.oci.empty.v1+json",
        digest: Digest(hex: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")!, size: 2, data: "e30=")
}

/// An OCI image manifest (schema 2) with an artifact type: what mreg publishes.
struct OCIImageManifest: Encodable {
    let schemaVersion = 2
    let mediaType = "application/vnd.oci.image.manifest.v1+json"
    let artifactType: String
    let config: OCIDescriptor
    let layers: [OCIDescriptor]
    let annotations: [String: String]

    enum CodingKeys: String, CodingKey { case schemaVersion, mediaType, artifactType, config, layers, annotations }

    /// Sorted keys, no whitespace: the same version always gives the same manifest digest.
    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a string, a number or a nested value of them: encoding cannot fail.
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// A blob's holder manifest read back from a registry: its one layer's size and its annotations.
    struct Held {
        let size: Int64
        let annotations: [String: String]

        init?(_ manifest: [UInt8]) {
            struct Layer: Decodable { let size: Int64 }
            struct Document: Decodable {
                let layers: [Layer]
                let annotations: [String: String]?
            }
            guard let document = try? JSONDecoder().decode(Document.self, from: Data(manifest)), document.layers.count == 1 else { return nil }
            size = document.layers[0].size
            annotations = document.annotations ?? [:]
        }
    }
}
