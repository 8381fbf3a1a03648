import Foundation
import RegistryModel

/// Reads a document back as a command printed it (`DocumentEncoder.encode`): snake_case keys
/// become the types' property names. The web UI draws its pages from the documents so read.
public enum DocumentDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }
}

/// Encodes a command's document to pretty JSON with sorted, snake_case keys, writing every
/// `JSONValue` inside it as it is, so a parameter written `1.0` prints as `1.0` (Foundation's
/// encoder prints it as `1`). Documents first become a `JSONValue` tree, then text.
public enum DocumentEncoder {
    public static func encode<T: Encodable>(_ document: T) throws -> Data {
        let root = Node()
        try TreeEncoder.encode(document, into: root, codingPath: [], snakeCase: true)
        var output = ""
        write(root.json, indent: "", into: &output)
        return Data((output + "\n").utf8)
    }

    /// A request body as the client sends it to `mreg serve`: compact, sorted keys, the types'
    /// own property names (a parameter named `learningRate` stays so), and every `JSONValue`
    /// as it is, so that a parameter written `1.0` reaches the server as a number, not as the
    /// integer `1` (the server's `decodeBody` reads them back with `JSONValue.exactDocumentKey`).
    public static func wire<T: Encodable>(_ value: T) throws -> Data {
        let root = Node()
        try TreeEncoder.encode(value, into: root, codingPath: [], snakeCase: false)
        return Data(try CanonicalJSON.string(root.json, numbers: .kept).utf8)
    }

    /// A document whose last key (in sorted order) is an array, written a page of elements at a
    /// time (`list NAME --all` over a million versions), in exactly the bytes `encode` writes
    /// for the whole document. `head` is the document with that array empty.
    public struct StreamedArray {
        private var written = 0

        /// The text up to and including the array's opening bracket.
        public static func open<T: Encodable>(_ head: T, arrayKey: String) throws -> (StreamedArray, String) {
            let root = Node()
            try TreeEncoder.encode(head, into: root, codingPath: [], snakeCase: true)
            guard case .object(let members) = root.json, let last = members.keys.sorted().last, last == arrayKey else {
                throw EncodingError.invalidValue(arrayKey, .init(codingPath: [], debugDescription: "\(arrayKey) is not the document's last key"))
            }
            var output = "{\n"
            for key in members.keys.sorted().dropLast() {
                output += "  " + quoted(key) + " : "
                write(members[key]!, indent: "  ", into: &output)
                output += ",\n"
            }
            return (StreamedArray(), output + "  " + quoted(arrayKey) + " : [\n")
        }

        /// The text of the next elements.
        public mutating func elements<T: Encodable>(_ elements: [T]) throws -> String {
            var output = ""
            for element in elements {
                let root = Node()
                try TreeEncoder.encode(element, into: root, codingPath: [], snakeCase: true)
                output += (written == 0 ? "    " : ",\n    ")
                write(root.json, indent: "    ", into: &output)
                written += 1
            }
            return output
        }

        /// The array's closing bracket and the document's.
        public var close: String { "\n  ]\n}\n" }
    }

    /// Two-space indentation, `"key" : value` as Foundation's pretty printer writes it.
    private static func write(_ value: JSONValue, indent: String, into output: inout String) {
        switch value {
        case .object(let members) where !members.isEmpty:
            output += "{\n"
            let inner = indent + "  "
            for (index, key) in members.keys.sorted().enumerated() {
                output += inner + quoted(key) + " : "
                write(members[key]!, indent: inner, into: &output)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            let inner = indent + "  "
            for (index, element) in elements.enumerated() {
                output += inner
                write(element, indent: inner, into: &output)
                output += index == elements.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object: output += "{\n\n" + indent + "}"
        case .array: output += "[\n\n" + indent + "]"
        case .number(let number) where !number.isFinite: output += "null"
        default: output += (try? CanonicalJSON.string(value, numbers: .kept)) ?? "null"
        }
    }

    private static func quoted(_ key: String) -> String {
        (try? CanonicalJSON.string(.string(key))) ?? "\"\""
    }

    /// `ciJobURL` → `ci_job_url`, as JSONEncoder's `.convertToSnakeCase` does.
    public static func snakeCase(_ key: String) -> String {
        var result = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previous = index > 0 ? characters[index - 1] : nil
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if let previous, previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    result += "_"
                }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// One value of the tree being built; containers hold their children by reference, so nested
/// containers write into their parent.
private final class Node {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: Node])
        case array([Node])
    }
    var content = Content.empty

    var json: JSONValue {
        switch content {
        case .empty: .object([:])
        case .value(let value): value
        case .object(let members): .object(members.mapValues(\.json))
        case .array(let elements): .array(elements.map(\.json))
        }
    }

    func child(_ key: String) -> Node {
        var members: [String: Node] = [:]
        if case .object(let existing) = content { members = existing }
        let node = members[key] ?? Node()
        members[key] = node
        content = .object(members)
        return node
    }

    func appended() -> Node {
        var elements: [Node] = []
        if case .array(let existing) = content { elements = existing }
        let node = Node()
        elements.append(node)
        content = .array(elements)
        return node
    }

    var count: Int {
        if case .array(let elements) = content { return elements.count }
        return 0
    }
}

/// An `Encoder` that builds a `JSONValue` tree.
private final class TreeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    /// Whether property names become snake_case (documents) or stay as written (request bodies).
    let snakeCase: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node = Node(), codingPath: [any CodingKey] = [], snakeCase: Bool) {
        self.node = node
        self.codingPath = codingPath
        self.snakeCase = snakeCase
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath, snakeCase: snakeCase))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath, snakeCase: snakeCase)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath, snakeCase: snakeCase)
    }

    /// Encodes `value` into `node`: a `JSONValue` as it is, and a dictionary's keys as they are
    /// (only property names become snake_case, never labels or metric names).
    static func encode<T: Encodable>(_ value: T, into node: Node, codingPath: [any CodingKey], snakeCase: Bool) throws {
        if let json = value as? JSONValue {
            node.content = .value(json)
        } else if let dictionary = value as? [String: any Encodable] {
            node.content = .object([:])
            for (key, element) in dictionary { try encode(element, into: node.child(key), codingPath: codingPath, snakeCase: snakeCase) }
        } else {
            try value.encode(to: TreeEncoder(node: node, codingPath: codingPath, snakeCase: snakeCase))
        }
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    public let node: Node
    public let codingPath: [any CodingKey]
    public let snakeCase: Bool

    private func set(_ value: JSONValue, _ key: Key) { slot(key).content = .value(value) }
    private func slot(_ key: Key) -> Node { node.child(snakeCase ? DocumentEncoder.snakeCase(key.stringValue) : key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.number(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.integer(Int64(clamping: value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try TreeEncoder.encode(value, into: slot(key), codingPath: codingPath + [key], snakeCase: snakeCase)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot(key)
        child.content = .object([:])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key], snakeCase: snakeCase))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot(key)
        child.content = .array([])
        return UnkeyedContainer(node: child, codingPath: codingPath + [key], snakeCase: snakeCase)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.child("super"), codingPath: codingPath, snakeCase: snakeCase) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: slot(key), codingPath: codingPath + [key], snakeCase: snakeCase) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    public let node: Node
    public let codingPath: [any CodingKey]
    public let snakeCase: Bool
    public var count: Int { node.count }

    private func append(_ value: JSONValue) { node.appended().content = .value(value) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.number(value)) }
    mutating func encode(_ value: Int) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { append(.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node.appended(), codingPath: codingPath, snakeCase: snakeCase) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appended()
        child.content = .object([:])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath, snakeCase: snakeCase))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appended()
        child.content = .array([])
        return UnkeyedContainer(node: child, codingPath: codingPath, snakeCase: snakeCase)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.appended(), codingPath: codingPath, snakeCase: snakeCase) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    public let node: Node
    public let codingPath: [any CodingKey]
    public let snakeCase: Bool

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { node.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { node.content = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .value(.number(value)) }
    mutating func encode(_ value: Int) throws { node.content = .value(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.content = .value(.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node, codingPath: codingPath, snakeCase: snakeCase) }
}
