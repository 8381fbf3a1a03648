/// A TOML 1.0 reader for mreg's configuration files (`policy.toml`, `config.toml`).
///
/// Written here rather than taken from a C++ binding so that every value keeps its line number:
/// a policy error must name the line and key, including type errors found after parsing. It reads
/// tables, dotted and quoted keys, all four string forms, integers (decimal, hex, octal, binary),
/// floats, booleans, arrays and inline tables. Dates and arrays of tables are refused with a
/// clear message: no mreg setting takes one.
public struct TOMLParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8))
        return try parser.document()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Document structure

    private mutating func document() throws(TOMLError) -> TOMLTable {
        var root = TOMLTable()
        var currentPath: [String] = []
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), 0x0A, 0x0D:
                try endOfLine()
            case UInt8(ascii: "["):
                if peek(1) == UInt8(ascii: "[") {
                    throw failure("arrays of tables ([[…]]) are not used in mreg's files")
                }
                let headerLine = line
                advance()
                skipWhitespace()
                let path = try key()
                skipWhitespace()
                try expect(UInt8(ascii: "]"), "']' to close the table header")
                try Self.openTable(path, in: &root, line: headerLine)
                currentPath = path
                try endOfLine()
            default:
                let keyLine = line
                let keyColumn = column
                let path = try key()
                skipWhitespace()
                try expect(UInt8(ascii: "="), "'=' after the key '\(path.joined(separator: "."))'")
                skipWhitespace()
                let value = try self.value()
                try Self.assign(value, at: currentPath + path, in: &root, line: keyLine, column: keyColumn)
                try endOfLine()
            }
        }
        return root
    }

    /// Marks the table at `path` as defined by a header, creating intermediate tables.
    private static func openTable(_ path: [String], in table: inout TOMLTable, line: Int) throws(TOMLError) {
        let key = path[0]
        var child: TOMLTable
        switch table[key]?.kind {
        case nil:
            child = TOMLTable()
        case .table(let existing):
            child = existing
            if existing.isInline { throw TOMLError(line: line, column: 1, problem: "table '\(key)' was defined inline and cannot be extended") }
        case .some:
            throw TOMLError(line: line, column: 1, problem: "'\(key)' is already a value, not a table")
        }
        if path.count == 1 {
            if child.isExplicit { throw TOMLError(line: line, column: 1, problem: "table [\(key)] is defined twice") }
            child.isExplicit = true
        } else {
            try openTable(Array(path.dropFirst()), in: &child, line: line)
        }
        table[key] = TOMLValue(.table(child), line: table[key]?.line ?? line)
    }

    /// Stores `value` at `path`, creating the tables a dotted key implies.
    private static func assign(
        _ value: TOMLValue, at path: [String], in table: inout TOMLTable, line: Int, column: Int
    ) throws(TOMLError) {
        let key = path[0]
        if path.count == 1 {
            guard table[key] == nil else {
                throw TOMLError(line: line, column: column, problem: "key '\(key)' is defined twice (first on line \(table[key]!.line))")
            }
            table[key] = value
            return
        }
        var child: TOMLTable
        switch table[key]?.kind {
        case nil:
            child = TOMLTable()
        case .table(let existing):
            child = existing
            if existing.isInline { throw TOMLError(line: line, column: column, problem: "table '\(key)' was defined inline and cannot be extended") }
        case .some:
            throw TOMLError(line: line, column: column, problem: "'\(key)' is already a value, not a table")
        }
        try assign(value, at: Array(path.dropFirst()), in: &child, line: line, column: column)
        table[key] = TOMLValue(.table(child), line: table[key]?.line ?? line)
    }

    // MARK: Keys

    /// A key, possibly dotted: `a`, `"a.b"`, `a . 'b' . c`.
    private mutating func key() throws(TOMLError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            let mark = (index, line, lineStart)
            skipWhitespace()
            if peek() == UInt8(ascii: ".") {
                advance()
                skipWhitespace()
                parts.append(try simpleKey())
            } else {
                (index, line, lineStart) = mark
                return parts
            }
        }
    }

    private mutating func simpleKey() throws(TOMLError) -> String {
        guard let byte = peek() else { throw failure("expected a key, found the end of the file") }
        if byte == UInt8(ascii: "\"") { return try basicString() }
        if byte == UInt8(ascii: "'") { return try literalString() }
        let start = index
        while let next = peek(), Self.isBareKeyByte(next) { advance() }
        guard index > start else { throw failure("expected a key, found '\(Self.printable(byte))'") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    private mutating func value() throws(TOMLError) -> TOMLValue {
        let valueLine = line
        guard let byte = peek() else { throw failure("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if starts(with: "\"\"\"") { return TOMLValue(.string(try multilineString(quote: UInt8(ascii: "\""))), line: valueLine) }
            return TOMLValue(.string(try basicString()), line: valueLine)
        case UInt8(ascii: "'"):
            if starts(with: "'''") { return TOMLValue(.string(try multilineString(quote: UInt8(ascii: "'"))), line: valueLine) }
            return TOMLValue(.string(try literalString()), line: valueLine)
        case UInt8(ascii: "["):
            return TOMLValue(.array(try array()), line: valueLine)
        case UInt8(ascii: "{"):
            return TOMLValue(.table(try inlineTable()), line: valueLine)
        default:
            if starts(with: "true") && !isBareContinuation(at: index + 4) {
                index += 4
                return TOMLValue(.bool(true), line: valueLine)
            }
            if starts(with: "false") && !isBareContinuation(at: index + 5) {
                index += 5
                return TOMLValue(.bool(false), line: valueLine)
            }
            return TOMLValue(try number(), line: valueLine)
        }
    }

    private func isBareContinuation(at position: Int) -> Bool {
        position < bytes.count && Self.isBareKeyByte(bytes[position])
    }

    private mutating func number() throws(TOMLError) -> TOMLValue.Kind {
        let start = index
        let startColumn = column
        while let byte = peek(), Self.isNumberByte(byte) { advance() }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty else {
            throw failure("expected a value (a string in quotes, a number, true/false, an array or a table), found '\(Self.printable(peek() ?? 0))'")
        }
        if let kind = Self.numberKind(text) { return kind }
        if text.contains(":") || (text.count >= 10 && text.dropFirst(4).first == "-") {
            throw TOMLError(line: line, column: startColumn, problem: "dates and times are not used in mreg's files; write '\(text)' in quotes if it is text")
        }
        throw TOMLError(line: line, column: startColumn, problem: "'\(text)' is not a valid value; put text in quotes")
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    /// Integers and floats as TOML writes them: `1_000`, `0xff`, `-3.5e-2`, `inf`, `nan`.
    static func numberKind(_ text: String) -> TOMLValue.Kind? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        switch body {
        case "inf": return .float(sign == "-" ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            guard sign.isEmpty, let digits = underscoresRemoved(body.dropFirst(2)) else { return nil }
            return Int64(digits, radix: radix).map { .integer($0) }
        }
        guard let plain = underscoresRemoved(body), let first = plain.first, first.isASCII, first.isNumber else { return nil }
        // Leading zeros are not allowed in TOML ("01"), except the single digit 0 before a fraction.
        if plain.count > 1, first == "0", let second = plain.dropFirst().first, second.isNumber { return nil }
        if plain.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return Int64(sign + plain).map { .integer($0) }
        }
        guard plain.allSatisfy({ ($0.isASCII && $0.isNumber) || "eE+-.".contains($0) }), let value = Double(sign + plain) else { return nil }
        if let dot = plain.firstIndex(of: ".") {
            // "1." and "1.e3" are not TOML; a digit must follow the dot.
            let after = plain[plain.index(after: dot)...]
            guard let next = after.first, next.isNumber else { return nil }
        }
        return .float(value)
    }

    /// Underscores only between digits (`1_000`, not `_1` or `1__0`).
    private static func underscoresRemoved(_ text: Substring) -> String? {
        guard !text.isEmpty, text.first != "_", text.last != "_", !text.contains("__") else { return nil }
        let characters = Array(text)
        for (offset, character) in characters.enumerated() where character == "_" {
            guard characters[offset - 1].isHexDigit, characters[offset + 1].isHexDigit else { return nil }
        }
        return String(text.filter { $0 != "_" })
    }

    private mutating func array() throws(TOMLError) -> [TOMLValue] {
        advance()
        var elements = [TOMLValue]()
        while true {
            try skipBlankLinesAndComments()
            if peek() == UInt8(ascii: "]") {
                advance()
                return elements
            }
            elements.append(try value())
            try skipBlankLinesAndComments()
            if peek() == UInt8(ascii: ",") {
                advance()
            } else if peek() == UInt8(ascii: "]") {
                advance()
                return elements
            } else {
                throw failure("expected ',' or ']' in the array")
            }
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLTable {
        advance()
        var table = TOMLTable()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            advance()
            table.isInline = true
            return table
        }
        while true {
            skipWhitespace()
            let keyLine = line
            let keyColumn = column
            let path = try key()
            skipWhitespace()
            try expect(UInt8(ascii: "="), "'=' after the key '\(path.joined(separator: "."))'")
            skipWhitespace()
            let value = try self.value()
            try Self.assign(value, at: path, in: &table, line: keyLine, column: keyColumn)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                advance()
            } else if peek() == UInt8(ascii: "}") {
                advance()
                table.isInline = true
                return table
            } else {
                throw failure("expected ',' or '}' in the inline table (inline tables stay on one line)")
            }
        }
    }

    // MARK: Strings

    private mutating func basicString() throws(TOMLError) -> String {
        advance()
        var result = [UInt8]()
        while true {
            guard let byte = peek(), byte != 0x0A else { throw failure("the string is not closed on this line") }
            advance()
            if byte == UInt8(ascii: "\"") { return try decoded(result) }
            if byte == UInt8(ascii: "\\") {
                result += try escape()
            } else {
                result.append(byte)
            }
        }
    }

    /// `"""…"""` (with escapes) or `'''…'''` (literal): a line break right after the opening
    /// delimiter is dropped, and up to two quotes may end the content before the closing one.
    private mutating func multilineString(quote: UInt8) throws(TOMLError) -> String {
        let delimiter = String(repeating: Character(Unicode.Scalar(quote)), count: 3)
        let escapes = quote == UInt8(ascii: "\"")
        index += 3
        if peek() == 0x0A { newline() } else if peek() == 0x0D, peek(1) == 0x0A { index += 1; newline() }
        var result = [UInt8]()
        while true {
            guard let byte = peek() else { throw failure("the multi-line string is not closed with \(delimiter)") }
            if starts(with: delimiter) {
                index += 3
                var extra = 0
                while peek() == quote, extra < 2 { result.append(quote); advance(); extra += 1 }
                return try decoded(result)
            }
            if escapes && byte == UInt8(ascii: "\\") {
                advance()
                // A backslash at the end of a line trims the line break and the following white space.
                var look = index
                while look < bytes.count, bytes[look] == 0x20 || bytes[look] == 0x09 { look += 1 }
                if look < bytes.count, bytes[look] == 0x0A || bytes[look] == 0x0D {
                    index = look
                    while let next = peek(), next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D {
                        if next == 0x0A { newline() } else { advance() }
                    }
                } else {
                    result += try escape()
                }
                continue
            }
            if byte == 0x0A { newline() } else { advance() }
            result.append(byte)
        }
    }

    private mutating func literalString() throws(TOMLError) -> String {
        advance()
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "'") {
            if byte == 0x0A { throw failure("the string is not closed on this line") }
            advance()
        }
        guard peek() != nil else { throw failure("the string is not closed on this line") }
        let text = Array(bytes[start..<index])
        advance()
        return try decoded(text)
    }

    private mutating func escape() throws(TOMLError) -> [UInt8] {
        guard let byte = peek() else { throw failure("the string ends inside an escape") }
        advance()
        switch byte {
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "\""): return [UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): return [UInt8(ascii: "\\")]
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(code)
            else { throw failure("'\\\(Character(Unicode.Scalar(byte)))' must be followed by \(count) hex digits of a Unicode scalar") }
            index += count
            return Array(String(Character(scalar)).utf8)
        default:
            throw failure("'\\\(Self.printable(byte))' is not a TOML escape (use \\\\ for a backslash)")
        }
    }

    private func decoded(_ utf8: [UInt8]) throws(TOMLError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("the string is not valid UTF-8") }
        return text
    }

    // MARK: Scanning

    private var column: Int { index - lineStart + 1 }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() { index += 1 }

    private mutating func newline() {
        index += 1
        line += 1
        lineStart = index
    }

    private func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        return index + pattern.count <= bytes.count && Array(bytes[index..<index + pattern.count]) == pattern
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { advance() }
    }

    /// Inside arrays values may spread over lines, with comments between them.
    private mutating func skipBlankLinesAndComments() throws(TOMLError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0D {
                advance()
            } else if byte == 0x0A {
                newline()
            } else if byte == UInt8(ascii: "#") {
                while let next = peek(), next != 0x0A { advance() }
            } else {
                return
            }
        }
    }

    /// The rest of a line may hold only white space and a comment.
    private mutating func endOfLine() throws(TOMLError) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") {
            while let next = peek(), next != 0x0A { advance() }
        }
        if peek() == 0x0D, peek(1) == 0x0A { advance() }
        guard let byte = peek() else { return }
        guard byte == 0x0A else { throw failure("unexpected '\(Self.printable(byte))' after the value; one key = value per line") }
        newline()
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(TOMLError) {
        guard peek() == byte else {
            throw failure("expected \(what), found " + (peek().map { "'\(Self.printable($0))'" } ?? "the end of the file"))
        }
        advance()
    }

    private func failure(_ problem: String) -> TOMLError {
        TOMLError(line: line, column: column, problem: problem)
    }

    private static func printable(_ byte: UInt8) -> String {
        switch byte {
        case 0x0A: "a line break"
        case 0x20...0x7E: String(Character(Unicode.Scalar(byte)))
        default: "byte 0x" + String(byte, radix: 16)
        }
    }
}
