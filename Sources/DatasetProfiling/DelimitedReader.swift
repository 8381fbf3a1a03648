import Foundation

/// Splits CSV/TSV bytes (RFC 4180: quoted fields with `""` escapes, which may hold delimiters and
/// line breaks; LF or CRLF line ends) into records and fields, chunk by chunk, without holding
/// more than the current chunk and one partial record.
struct DelimitedReader {
    let delimiter: UInt8
    /// Bytes of a record that began in an earlier chunk.
    private var carry: [UInt8] = []
    private var carryInQuotes = false
    /// Physical line (1-based) where the next record starts.
    private(set) var line: Int64 = 1
    private var scratch: [UInt8] = []

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// Feeds a chunk; calls `record` with each complete record's fields and its first line.
    mutating func consume(
        _ chunk: UnsafeRawBufferPointer, record: (_ fields: inout FieldList, _ line: Int64) -> Void
    ) {
        var start = 0
        var index = 0
        var inQuotes = carryInQuotes
        let count = chunk.count
        var fields = FieldList()
        while index < count {
            // Fast path: outside quotes, jump to the next line break (memchr is vectorised) and
            // take the line as a record when it holds no quote at all, the common case.
            if !inQuotes, let base = chunk.baseAddress {
                guard let found = memchr(base + index, 0x0A, count - index) else {
                    if memchr(base + index, Int32(UInt8(ascii: "\"")), count - index) == nil {
                        index = count
                        break
                    }
                    scanQuoted(chunk, &index, &inQuotes, until: count)
                    continue
                }
                let newline = base.distance(to: UnsafeRawPointer(found))
                if memchr(base + index, Int32(UInt8(ascii: "\"")), newline - index) == nil {
                    index = newline
                    endRecord(chunk, start: &start, end: newline, fields: &fields, record: record)
                    index += 1
                    continue
                }
            }
            let byte = chunk[index]
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if byte == 0x0A && !inQuotes {
                endRecord(chunk, start: &start, end: index, fields: &fields, record: record)
            }
            index += 1
        }
        if start < count { carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<count])) }
        carryInQuotes = inQuotes
    }

    /// Byte by byte through quoted text to the end of the chunk (the slow path).
    private func scanQuoted(_ chunk: UnsafeRawBufferPointer, _ index: inout Int, _ inQuotes: inout Bool, until count: Int) {
        while index < count {
            if chunk[index] == UInt8(ascii: "\"") { inQuotes.toggle() }
            index += 1
        }
    }

    /// Emits the record ending at `end` (a line break), joined with any carried-over start.
    private mutating func endRecord(
        _ chunk: UnsafeRawBufferPointer, start: inout Int, end: Int, fields: inout FieldList,
        record: (_ fields: inout FieldList, _ line: Int64) -> Void
    ) {
        if carry.isEmpty {
            emit(UnsafeRawBufferPointer(rebasing: chunk[start..<end]), into: &fields, record: record)
        } else {
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
            let joined = carry
            carry.removeAll(keepingCapacity: true)
            joined.withUnsafeBytes { emit($0, into: &fields, record: record) }
        }
        start = end + 1
    }

    /// Flushes a last record without a final line break. Returns whether a quote was left open.
    mutating func finish(record: (_ fields: inout FieldList, _ line: Int64) -> Void) -> Bool {
        let unclosed = carryInQuotes
        if !carry.isEmpty {
            var fields = FieldList()
            let joined = carry
            carry.removeAll()
            joined.withUnsafeBytes { emit($0, into: &fields, record: record) }
        }
        return unclosed
    }

    /// Splits one record into fields (unescaping quoted ones into scratch space) and reports it.
    private mutating func emit(
        _ bytes: UnsafeRawBufferPointer, into fields: inout FieldList, record: (_ fields: inout FieldList, _ line: Int64) -> Void
    ) {
        let startLine = line
        var end = bytes.count
        var newlines: Int64 = 1
        if end > 0, bytes[end - 1] == 0x0D { end -= 1 }
        fields.reset(base: bytes.baseAddress)
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
        var index = 0
        var quotedFields: [(fieldIndex: Int, range: Range<Int>)] = []
        while true {
            if index < end, bytes[index] == UInt8(ascii: "\"") {
                // A quoted field: copy it without its quotes, turning "" into ".
                let scratchStart = scratch.count
                index += 1
                while index < end {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        if index + 1 < end, bytes[index + 1] == UInt8(ascii: "\"") {
                            scratch.append(byte)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    if byte == 0x0A { newlines += 1 }
                    scratch.append(byte)
                    index += 1
                }
                // Anything between the closing quote and the delimiter is kept, as most readers do.
                while index < end, bytes[index] != delimiter {
                    scratch.append(bytes[index])
                    index += 1
                }
                quotedFields.append((fields.count, scratchStart..<scratch.count))
                fields.append(0..<0)
            } else {
                let fieldStart = index
                while index < end, bytes[index] != delimiter { index += 1 }
                fields.append(fieldStart..<index)
            }
            if index >= end { break }
            index += 1   // the delimiter
            if index == end {
                fields.append(end..<end)
                break
            }
        }
        line += newlines
        if end == 0 && bytes.count <= 1 {
            return   // a blank line
        }
        scratch.withUnsafeBytes { scratchBytes in
            fields.resolveQuoted(quotedFields, in: scratchBytes)
            record(&fields, startLine)
        }
    }
}

/// The fields of one record as byte ranges, valid only inside the `record` callback.
///
/// The ranges live in one buffer owned by a class and reused from record to record: appending
/// a field is two stores, with no array bookkeeping (which perf showed at 19% of profiling).
struct FieldList {
    private final class Storage {
        var pointer: UnsafeMutablePointer<Int>
        var capacity: Int

        init() {
            capacity = 64
            pointer = .allocate(capacity: capacity * 2)
        }

        func grow() {
            let larger = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 4)
            larger.update(from: pointer, count: capacity * 2)
            pointer.deallocate()
            pointer = larger
            capacity *= 2
        }

        deinit { pointer.deallocate() }
    }

    private let storage = Storage()
    private(set) var count = 0
    private var quoted: [Int: UnsafeRawBufferPointer] = [:]
    private var base: UnsafeRawPointer?

    mutating func reset(base: UnsafeRawPointer?) {
        count = 0
        if !quoted.isEmpty { quoted.removeAll(keepingCapacity: true) }
        self.base = base
    }

    @inline(__always)
    mutating func append(_ range: Range<Int>) {
        if count == storage.capacity { storage.grow() }
        storage.pointer[count * 2] = range.lowerBound
        storage.pointer[count * 2 + 1] = range.upperBound
        count += 1
    }

    mutating func resolveQuoted(_ fields: [(fieldIndex: Int, range: Range<Int>)], in scratch: UnsafeRawBufferPointer) {
        for field in fields {
            quoted[field.fieldIndex] = UnsafeRawBufferPointer(rebasing: scratch[field.range])
        }
    }

    @inline(__always)
    subscript(index: Int) -> UnsafeRawBufferPointer {
        if !quoted.isEmpty, let value = quoted[index] { return value }
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = storage.pointer[index * 2]
        return UnsafeRawBufferPointer(start: base + start, count: storage.pointer[index * 2 + 1] - start)
    }
}
