import Foundation

/// Fast parsing of the decimal numbers data files hold, exact to the last bit.
///
/// Profiling a multi-GiB CSV parses one number per field; `Double(String)` would allocate a
/// string per field. Clinger's fast path is exact when the digits fit in 2^53 and the power of
/// ten is at most 22 (both are then exact doubles and one IEEE operation rounds correctly);
/// anything else goes to `strtod` through a stack buffer.
enum NumberParsing {
    private static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    enum Parsed {
        case integer(Int64)
        case number(Double)
    }

    /// Parses `bytes` (surrounding spaces allowed) as an integer or a finite decimal number.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Parsed? {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard start < end else { return nil }
        var index = start
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var scale = 0
        var sawDigit = false
        while index < end, bytes[index] &- 48 < 10 {
            sawDigit = true
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
                if mantissa != 0 { significant += 1 }
            } else {
                scale += 1
            }
            digits += 1
            index += 1
        }
        var isInteger = true
        if index < end, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            while index < end, bytes[index] &- 48 < 10 {
                sawDigit = true
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 48)
                    if mantissa != 0 { significant += 1 }
                    scale -= 1
                }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < end, bytes[index] &- 48 < 10 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] &- 48) }
                index += 1
            }
            guard index > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == end else { return nil }
        if isInteger && significant < 19 && scale == 0 {
            return .integer(negative ? -Int64(mantissa) : Int64(mantissa))
        }
        let power = scale + exponent
        if significant <= 15 && mantissa < (1 << 53) && abs(power) <= 22 {
            var value = Double(mantissa)
            value = power < 0 ? value / powers[-power] : value * powers[power]
            return .number(negative ? -value : value)
        }
        return slowParse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    private static func slowParse(_ bytes: UnsafeRawBufferPointer) -> Parsed? {
        guard bytes.count < 512 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for (offset, byte) in bytes.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
            buffer[bytes.count] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer, endPointer - buffer.baseAddress! == bytes.count, value.isFinite else { return nil }
            return .number(value)
        }
    }
}
