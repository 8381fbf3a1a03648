/// The reader of one tabular format behind a profiler or a column collector: CSV/TSV records
/// or JSON Lines members, fed chunk by chunk.
enum RecordReader {
    case delimited(DelimitedReader)
    case jsonLines(JSONLinesReader)
    /// Only while a reader is out being used (see `consume`).
    case taken

    init(format: TableProfile.Format) {
        switch format {
        case .csv: self = .delimited(DelimitedReader(delimiter: UInt8(ascii: ",")))
        case .tsv: self = .delimited(DelimitedReader(delimiter: 0x09))
        case .jsonl: self = .jsonLines(JSONLinesReader())
        }
    }

    /// Feeds a chunk: CSV/TSV records go to `record`, JSON Lines members to `member` and line
    /// ends to `row`. The reader is moved out of `self` while it works, so its buffers are not
    /// shared (and copied) when it mutates them.
    mutating func consume(
        _ chunk: UnsafeRawBufferPointer, record: (inout FieldList, Int64) -> Void,
        member: (UnsafeRawBufferPointer, JSONLinesReader.Value) -> Void, row: (Bool, Int64) -> Void
    ) {
        switch self {
        case .delimited(var reader):
            self = .taken
            reader.consume(chunk, record: record)
            self = .delimited(reader)
        case .jsonLines(var reader):
            self = .taken
            reader.consume(chunk, member: member, row: row)
            self = .jsonLines(reader)
        case .taken:
            break
        }
    }

    /// Flushes the last record; says whether a quoted CSV field was left open, and the line the
    /// reader stopped at.
    mutating func finish(
        record: (inout FieldList, Int64) -> Void, member: (UnsafeRawBufferPointer, JSONLinesReader.Value) -> Void,
        row: (Bool, Int64) -> Void
    ) -> (unclosedQuote: Bool, line: Int64) {
        switch self {
        case .delimited(var reader):
            self = .taken
            let unclosed = reader.finish(record: record)
            return (unclosed, reader.line)
        case .jsonLines(var reader):
            self = .taken
            reader.finish(member: member, row: row)
            return (false, reader.line)
        case .taken:
            return (false, 0)
        }
    }
}
