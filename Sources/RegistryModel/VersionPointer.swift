/// A version named by model and number, with its identity.
public struct VersionPointer: Hashable, Sendable, Codable {
    public let model: ModelName
    public let number: Int
    public let manifestDigest: Digest

    public init(model: ModelName, number: Int, manifestDigest: Digest) {
        self.model = model
        self.number = number
        self.manifestDigest = manifestDigest
    }

    public var reference: String { "\(model)@\(number)" }
}
