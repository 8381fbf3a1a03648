/// A SHA-256 content digest, written `sha256:<64 lowercase hex>`.
///
/// The digest is the identity of every blob in the store and of every version (its manifest's
/// digest), so it is a type of its own rather than a string that might hold anything.
public struct Digest: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public static let algorithm = "sha256"
    public static let hexLength = 64
    /// The shortest digest prefix a reference may use; shorter prefixes are too easy to collide.
    public static let minimumPrefixLength = 12

    /// The 64 lowercase hex characters, without the algorithm prefix.
    public let hex: String

    public init?(hex: String) {
        guard hex.utf8.count == Self.hexLength, hex.utf8.allSatisfy(Self.isLowerHex) else { return nil }
        self.hex = hex
    }

    /// Parses `sha256:<hex>`; the bare hex form is accepted too.
    public init?(parsing text: String) {
        let prefix = Self.algorithm + ":"
        let hex = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
        self.init(hex: hex)
    }

    /// Builds a digest from the 32 raw bytes of a SHA-256 hash.
    public init<Bytes: Sequence>(rawBytes: Bytes) where Bytes.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(Self.hexLength)
        for byte in rawBytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        precondition(hex.count == Self.hexLength, "SHA-256 yields 32 bytes")
        self.hex = String(decoding: hex, as: UTF8.self)
    }

    public var description: String { "\(Self.algorithm):\(hex)" }

    /// The 32 raw bytes the hex spells (how PostgreSQL keeps a digest: a third of the text's size).
    public var rawBytes: [UInt8] { Self.bytes(hex: hex)! }

    /// The bytes lower-case hex spells, two digits each; nil for anything else.
    public static func bytes(hex: some StringProtocol) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2), digits.allSatisfy(isLowerHex) else { return nil }
        func nibble(_ digit: UInt8) -> UInt8 { digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10 }
        return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    /// The first 12 hex characters, for tables meant for people.
    public var short: String { String(hex.prefix(Self.minimumPrefixLength)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }

    public static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest: \(text)"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
