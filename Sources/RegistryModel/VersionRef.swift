/// A reference to one version of a model, as typed by a user.
///
/// `NAME` (latest), `NAME@3` or `NAME@v3`, `NAME@ALIAS`, `NAME@sha256:PREFIX` (≥ 12 hex digits).
public struct VersionRef: Hashable, Sendable, CustomStringConvertible {
    public enum Selector: Hashable, Sendable {
        case latest
        case number(Int)
        case alias(AliasName)
        case digestPrefix(String)
    }

    public let model: ModelName
    public let selector: Selector

    public init(model: ModelName, selector: Selector) {
        self.model = model
        self.selector = selector
    }

    public init(parsing text: String) throws(ReferenceError) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        do {
            model = try ModelName(String(parts[0]))
        } catch {
            throw ReferenceError(reference: text, problem: error.description)
        }
        guard parts.count == 2 else {
            selector = .latest
            return
        }
        selector = try Self.parseSelector(String(parts[1]), reference: text)
    }

    private static func parseSelector(_ text: String, reference: String) throws(ReferenceError) -> Selector {
        if text.isEmpty {
            throw ReferenceError(reference: reference, problem: "nothing follows '@'; write NAME@3, NAME@ALIAS or NAME@sha256:PREFIX")
        }
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let number = Int(digits), number >= 1 else {
                throw ReferenceError(reference: reference, problem: "version numbers start at 1")
            }
            return .number(number)
        }
        let digestPrefix = Digest.algorithm + ":"
        if text.hasPrefix(digestPrefix) {
            let hex = String(text.dropFirst(digestPrefix.count)).lowercased()
            guard hex.utf8.allSatisfy(Digest.isLowerHex), (Digest.minimumPrefixLength...Digest.hexLength).contains(hex.utf8.count) else {
                throw ReferenceError(
                    reference: reference,
                    problem: "a digest prefix needs \(Digest.minimumPrefixLength) to \(Digest.hexLength) hex digits")
            }
            return .digestPrefix(hex)
        }
        do {
            return .alias(try AliasName(text))
        } catch {
            throw ReferenceError(reference: reference, problem: error.description)
        }
    }

    public var description: String {
        switch selector {
        case .latest: model.value
        case .number(let number): "\(model)@\(number)"
        case .alias(let alias): "\(model)@\(alias)"
        case .digestPrefix(let hex): "\(model)@\(Digest.algorithm):\(hex)"
        }
    }
}

/// A reference that cannot be parsed.
public struct ReferenceError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reference: String
    public let problem: String
    public var description: String { "invalid reference '\(reference)': \(problem)" }
}
