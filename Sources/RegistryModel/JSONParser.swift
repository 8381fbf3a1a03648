/// Reads JSON text into a `JSONValue`, keeping each number's kind as written: `1` is an
/// integer, `1.0` and `1e3` are floating-point numbers.
///
/// Foundation's decoder hands `1.0` over as an integer, so a parameter written `C: 1.0` would
/// come back as `C: 1`; stored parameters and documents are read through this instead.
public enum JSONParser {
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var parser = State(bytes: Array(text.utf8))
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try parse(String(decoding: bytes, as: UTF8.self))
    }

    private struct State {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ problem: String) -> JSONParseError { JSONParseError(offset: position, problem: problem) }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
            let expected = Array(literal.utf8)
            guard bytes.count - position >= expected.count, Array(bytes[position..<position + expected.count]) == expected else {
                throw error("expected \(literal)")
            }
            position += expected.count
            return value
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth < 512 else { throw error("nested too deeply") }
            guard position < bytes.count else { throw error("unexpected end of text") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            default: return try number()
            }
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
            position += 1
            var members = [String: JSONValue]()
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                let key = try string()
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                skipSpace()
                members[key] = try value(depth: depth + 1)
                skipSpace()
                guard position < bytes.count else { throw error("unexpected end of text") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                position += 1
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
            position += 1
            var elements = [JSONValue]()
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard position < bytes.count else { throw error("unexpected end of text") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                position += 1
                return .array(elements)
            }
        }

        /// The string's text is gathered as UTF-8 bytes (escapes encoded in place) and decoded
        /// once at its end; a string without escapes is decoded straight from the input. Invalid
        /// UTF-8 becomes U+FFFD either way.
        mutating func string() throws(JSONParseError) -> String {
            position += 1
            let start = position
            var decoded: [UInt8]?
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    defer { position += 1 }
                    guard let decoded else { return String(decoding: bytes[start..<position], as: UTF8.self) }
                    return String(decoding: decoded, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    if decoded == nil { decoded = Array(bytes[start..<position]) }
                    position += 1
                    guard position < bytes.count else { throw error("unexpected end of text in a string") }
                    let escape = bytes[position]
                    position += 1
                    let scalar: Unicode.Scalar
                    switch escape {
                    case UInt8(ascii: "\""): scalar = "\""
                    case UInt8(ascii: "\\"): scalar = "\\"
                    case UInt8(ascii: "/"): scalar = "/"
                    case UInt8(ascii: "b"): scalar = "\u{08}"
                    case UInt8(ascii: "f"): scalar = "\u{0C}"
                    case UInt8(ascii: "n"): scalar = "\n"
                    case UInt8(ascii: "r"): scalar = "\r"
                    case UInt8(ascii: "t"): scalar = "\t"
                    case UInt8(ascii: "u"): scalar = try unicodeEscape()
                    default: throw error("invalid escape in a string")
                    }
                    UTF8.encode(scalar) { decoded!.append($0) }
                case 0x00..<0x20:
                    throw error("a control character in a string")
                default:
                    decoded?.append(byte)
                    position += 1
                }
            }
            throw error("unterminated string")
        }

        /// `\uXXXX`, joining a surrogate pair into one scalar; a lone half becomes U+FFFD.
        mutating func unicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
            let first = try hex4()
            if (0xD800..<0xDC00).contains(first), bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            {
                let saved = position
                position += 2
                let second = try hex4()
                if (0xDC00..<0xE000).contains(second) {
                    return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) ?? "\u{FFFD}"
                }
                position = saved
            }
            return Unicode.Scalar(first) ?? "\u{FFFD}"
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard bytes.count - position >= 4, let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
                throw error("invalid \\u escape")
            }
            position += 4
            return value
        }

        mutating func number() throws(JSONParseError) -> JSONValue {
            let start = position
            var isFloat = false
            while position < bytes.count {
                let byte = bytes[position]
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                    position += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    isFloat = true
                    position += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard !text.isEmpty, text.first != "+" else { throw error("unexpected character") }
            if !isFloat, let integer = Int64(text) { return .integer(integer) }
            guard let number = Double(text), number.isFinite else { throw JSONParseError(offset: start, problem: "'\(text)' is not a JSON number") }
            return .number(number)
        }
    }
}

public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset in the text.
    public let offset: Int
    public let problem: String
    public var description: String { "\(problem) at byte \(offset)" }
}
