/// Reads JSON Lines: one JSON object per line. Each member is reported as its key and its value's
/// bytes: strings unescaped, numbers and booleans as written, nested objects and arrays as their
/// raw JSON text (profiled as text). `null` is a missing value.
struct JSONLinesReader {
    enum Value {
        case text(UnsafeRawBufferPointer)
        case scalar(UnsafeRawBufferPointer)
        case null
    }

    private var carry: [UInt8] = []
    private(set) var line: Int64 = 0
    private var keyScratch: [UInt8] = []
    private var valueScratch: [UInt8] = []

    /// Feeds a chunk; calls `member` for each key and value, then `row` at the end of each line
    /// with whether it was a well-formed object (a malformed line's members are not reported).
    mutating func consume(
        _ chunk: UnsafeRawBufferPointer, member: (UnsafeRawBufferPointer, Value) -> Void, row: (_ ok: Bool, _ line: Int64) -> Void
    ) {
        var start = 0
        for index in 0..<chunk.count where chunk[index] == 0x0A {
            if carry.isEmpty {
                parseLine(UnsafeRawBufferPointer(rebasing: chunk[start..<index]), member: member, row: row)
            } else {
                carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<index]))
                let joined = carry
                carry.removeAll(keepingCapacity: true)
                joined.withUnsafeBytes { parseLine($0, member: member, row: row) }
            }
            start = index + 1
        }
        if start < chunk.count { carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<chunk.count])) }
    }

    mutating func finish(member: (UnsafeRawBufferPointer, Value) -> Void, row: (_ ok: Bool, _ line: Int64) -> Void) {
        guard !carry.isEmpty else { return }
        let joined = carry
        carry.removeAll()
        joined.withUnsafeBytes { parseLine($0, member: member, row: row) }
    }

    private mutating func parseLine(
        _ bytes: UnsafeRawBufferPointer, member: (UnsafeRawBufferPointer, Value) -> Void, row: (_ ok: Bool, _ line: Int64) -> Void
    ) {
        line += 1
        var parser = LineParser(bytes: bytes)
        parser.skipSpace()
        if parser.atEnd { return }   // a blank line
        // Validate the whole line first, so a malformed line contributes nothing.
        var members: [(key: Range<Int>, keyEscaped: Bool, value: Range<Int>, kind: LineParser.Kind)] = []
        guard parser.object(into: &members) else {
            row(false, line)
            return
        }
        for entry in members {
            if entry.keyEscaped { Self.unescape(bytes, entry.key, into: &keyScratch) }
            if case .string(true) = entry.kind { Self.unescape(bytes, entry.value, into: &valueScratch) }
            keyScratch.withUnsafeBytes { keyBuffer in
                valueScratch.withUnsafeBytes { valueBuffer in
                    let key = entry.keyEscaped ? keyBuffer : UnsafeRawBufferPointer(rebasing: bytes[entry.key])
                    switch entry.kind {
                    case .null: member(key, .null)
                    case .string(let escaped): member(key, .text(escaped ? valueBuffer : UnsafeRawBufferPointer(rebasing: bytes[entry.value])))
                    case .scalar: member(key, .scalar(UnsafeRawBufferPointer(rebasing: bytes[entry.value])))
                    case .nested: member(key, .text(UnsafeRawBufferPointer(rebasing: bytes[entry.value])))
                    }
                }
            }
        }
        row(true, line)
    }

    /// Up to four hex digits at `index`, advancing past them.
    private static func hexQuad(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, end: Int) -> UInt32 {
        var code: UInt32 = 0
        var digits = 0
        while digits < 4, index < end, let value = LineParser.hexValue(bytes[index]) {
            code = code << 4 | UInt32(value)
            digits += 1
            index += 1
        }
        return code
    }

    /// Decodes a JSON string body's escapes into `scratch`.
    private static func unescape(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, into scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < range.upperBound else {
                scratch.append(byte)
                index += 1
                continue
            }
            let next = bytes[index + 1]
            index += 2
            switch next {
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "u"):
                var code = hexQuad(bytes, &index, end: range.upperBound)
                // A high surrogate followed by \uDC00–\uDFFF is one scalar (emoji written as escapes).
                if (0xD800...0xDBFF).contains(code), index + 1 < range.upperBound, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    var look = index + 2
                    let low = hexQuad(bytes, &look, end: range.upperBound)
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index = look
                    }
                }
                // A lone surrogate half is replaced; everything else is encoded as UTF-8.
                scratch.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
            default: scratch.append(next)
            }
        }
    }
}

/// A validating scanner for one line of JSON.
struct LineParser {
    enum Kind {
        case string(escaped: Bool)
        case scalar
        case nested
        case null
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool { index >= bytes.count }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
    }

    /// `{ "key": value, … }` and nothing after it but white space.
    mutating func object(into members: inout [(key: Range<Int>, keyEscaped: Bool, value: Range<Int>, kind: Kind)]) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            skipSpace()
            return atEnd
        }
        while true {
            skipSpace()
            guard let (key, keyEscaped) = string() else { return false }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipSpace()
            guard let (range, kind) = value() else { return false }
            members.append((key, keyEscaped, range, kind))
            skipSpace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return false }
            index += 1
            skipSpace()
            return atEnd
        }
    }

    /// A string's body range (without quotes) and whether it holds escapes.
    mutating func string() -> (Range<Int>, Bool)? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            index += 1
        }
        return nil
    }

    mutating func value() -> (Range<Int>, Kind)? {
        guard index < bytes.count else { return nil }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "\""):
            guard let (range, escaped) = string() else { return nil }
            return (range, .string(escaped: escaped))
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard skipNested() else { return nil }
            return (start..<index, .nested)
        default:
            while index < bytes.count, !Self.isTerminator(bytes[index]) { index += 1 }
            let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            if text.elementsEqual("null".utf8) { return (start..<index, .null) }
            if text.elementsEqual("true".utf8) || text.elementsEqual("false".utf8) { return (start..<index, .scalar) }
            guard NumberParsing.parse(text) != nil else { return nil }
            return (start..<index, .scalar)
        }
    }

    /// Skips a balanced object or array, minding strings.
    private mutating func skipNested() -> Bool {
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard string() != nil else { return false }
                continue
            }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 {
                    index += 1
                    return true
                }
            }
            index += 1
        }
        return false
    }

    static func isTerminator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20 || byte == 0x09 || byte == 0x0D
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
