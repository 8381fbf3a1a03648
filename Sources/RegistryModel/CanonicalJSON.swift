/// Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant white space, numbers
/// in Swift's shortest round-trip form, strings escaped minimally.
///
/// Manifests are hashed, so their bytes must not depend on dictionary order or encoder settings
/// (Foundation's `JSONEncoder` sorts keys by a locale-free but UTF-16 order and escapes `/`).
public enum CanonicalJSON {
    /// How a floating-point number with an integral value is written.
    public enum NumberKinds: Sendable {
        /// `2.0` as `2`, as RFC 8785 does (manifest v1, every other document).
        case merged
        /// `2.0` as `2.0`, so a number keeps the kind it was written with (manifest v2, stored parameters).
        case kept
    }

    public static func encode(_ value: JSONValue, numbers: NumberKinds = .merged) throws(CanonicalJSONError) -> [UInt8] {
        var output = [UInt8]()
        try write(value, into: &output, path: "$", numbers: numbers)
        return output
    }

    /// Encodes a value that holds no floating-point number, which cannot fail (ledger events).
    public static func encodeWithoutNumbers(_ value: JSONValue) -> [UInt8] {
        var output = [UInt8]()
        do {
            try write(value, into: &output, path: "$", numbers: .merged)
        } catch {
            preconditionFailure("a value without floating-point numbers failed to encode: \(error)")
        }
        return output
    }

    public static func string(_ value: JSONValue, numbers: NumberKinds = .merged) throws(CanonicalJSONError) -> String {
        String(decoding: try encode(value, numbers: numbers), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8], path: String, numbers: NumberKinds) throws(CanonicalJSONError) {
        switch value {
        case .null: output += Array("null".utf8)
        case .bool(let flag): output += Array((flag ? "true" : "false").utf8)
        case .integer(let integer): output += Array(String(integer).utf8)
        case .number(let number):
            guard number.isFinite else { throw CanonicalJSONError(path: path, problem: "is not a finite number") }
            output += Array(canonicalNumber(number, numbers).utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, into: &output, path: "\(path)[\(index)]", numbers: numbers)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                try write(members[key]!, into: &output, path: "\(path).\(key)", numbers: numbers)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Integral doubles print without a fraction (`2.0` → `2`), as ECMAScript and RFC 8785 do.
    static func canonicalNumber(_ number: Double, _ kinds: NumberKinds = .merged) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) + (kinds == .kept ? ".0" : "") }
        return String(number)
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                output += Array("\\u00".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

public struct CanonicalJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "value at \(path) \(problem)" }
}
