/// Collects the values of named columns from a CSV, TSV or JSON Lines file, chunk by chunk:
/// what `mreg evaluate` reads from a predictions file.
public final class ColumnCollector {
    private var reader: RecordReader
    private let format: TableProfile.Format
    private let wanted: [String]
    /// Index in the header of each wanted column (CSV/TSV), once the header is read.
    private var positions: [Int]?
    private var header: [String] = []
    private var values: [[String]]
    private var seen: [Bool]
    private var failure: CollectionError?
    /// The file line of each row collected (its first line, for a quoted multi-line CSV record).
    public private(set) var lines: [Int64] = []

    public init(format: TableProfile.Format, columns: [String]) {
        wanted = columns
        values = Array(repeating: [], count: columns.count)
        seen = Array(repeating: false, count: columns.count)
        self.format = format
        reader = RecordReader(format: format)
    }

    public func consume(_ chunk: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        var reader = self.reader
        self.reader = .taken
        reader.consume(chunk, record: { fields, line in record(&fields, line: line) }, member: { key, value in member(key, value) }, row: { ok, line in row(ok, line: line) })
        self.reader = reader
    }

    /// The values of each wanted column, in file order, or the first problem found.
    public func finish() throws(CollectionError) -> [String: [String]] {
        if failure == nil {
            var reader = self.reader
            self.reader = .taken
            let (unclosed, _) = reader.finish(
                record: { fields, line in record(&fields, line: line) }, member: { key, value in member(key, value) },
                row: { ok, line in row(ok, line: line) })
            if format != .jsonl && failure == nil {
                if unclosed { failure = CollectionError("the file ends inside a quoted field") }
                if positions == nil && failure == nil { failure = CollectionError("the file is empty (no header)") }
            }
        }
        if let failure { throw failure }
        return Dictionary(uniqueKeysWithValues: zip(wanted, values))
    }

    private func record(_ fields: inout FieldList, line: Int64) {
        guard failure == nil else { return }
        guard let positions else {
            var invalid: Int64 = 0
            header = (0..<fields.count).map { ColumnAccumulator.text(fields[$0], invalid: &invalid) }
            var found = [Int]()
            for name in wanted {
                guard let index = header.firstIndex(of: name) else {
                    failure = CollectionError("there is no column '\(name)' (the header has \(header.joined(separator: ", ")))", missingColumn: name)
                    return
                }
                found.append(index)
            }
            self.positions = found
            return
        }
        for (slot, position) in positions.enumerated() {
            guard position < fields.count, !ColumnAccumulator.isMissingMarker(fields[position]) else {
                failure = CollectionError("there is no value for column '\(wanted[slot])'", line: line)
                return
            }
            var invalid: Int64 = 0
            values[slot].append(ColumnAccumulator.text(fields[position], invalid: &invalid))
        }
        lines.append(line)
    }

    private func member(_ key: UnsafeRawBufferPointer, _ value: JSONLinesReader.Value) {
        guard failure == nil, let slot = wanted.firstIndex(where: { $0.utf8.elementsEqual(key) }), !seen[slot] else { return }
        var invalid: Int64 = 0
        switch value {
        case .null: return
        case .text(let bytes), .scalar(let bytes): values[slot].append(ColumnAccumulator.text(bytes, invalid: &invalid))
        }
        seen[slot] = true
    }

    private func row(_ ok: Bool, line: Int64) {
        guard failure == nil else { return }
        guard ok else {
            failure = CollectionError("the line is not a JSON object", line: line)
            return
        }
        if let missing = seen.firstIndex(of: false) {
            failure = CollectionError("there is no value for '\(wanted[missing])'", line: line)
            return
        }
        for slot in seen.indices { seen[slot] = false }
        lines.append(line)
    }
}

/// A predictions file that cannot be read as the columns asked for.
public struct CollectionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problem: String
    /// The file line the problem is on, when it is about one.
    public let line: Int64?
    /// The wanted column the header lacks, when that is the problem.
    public let missingColumn: String?
    public init(_ problem: String, line: Int64? = nil, missingColumn: String? = nil) {
        self.problem = problem
        self.line = line
        self.missingColumn = missingColumn
    }
    public var description: String { line.map { "line \($0): \(problem)" } ?? problem }
}
