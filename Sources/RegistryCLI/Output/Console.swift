import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

/// Where commands write: documents and tables to stdout, diagnostics to stderr.
enum Console {
    static func out(_ line: String) {
        write(Data((line + "\n").utf8), error: false)
    }

    static func err(_ line: String) {
        write(Data((line + "\n").utf8), error: true)
    }

    /// Writes bytes as they are (what a server's run of a command printed).
    static func write(_ data: Data, error: Bool) {
        if let capture = Thread.current.threadDictionary[captureKey] as? CapturedOutput {
            if error { capture.stderr.append(data) } else { capture.stdout.append(data) }
        } else {
            (error ? FileHandle.standardError : FileHandle.standardOutput).write(data)
        }
    }

    /// What a command wrote while `mreg serve` ran it for a client.
    final class CapturedOutput {
        var stdout = Data()
        var stderr = Data()
    }

    private static let captureKey = "mreg.console.capture"

    /// Runs `body` with this thread's output kept instead of written. `mreg serve` runs each
    /// command start to end on one worker thread, so commands keep writing through `Console`
    /// and concurrent requests stay apart.
    static func capturing(_ body: () -> Void) -> CapturedOutput {
        let capture = CapturedOutput()
        Thread.current.threadDictionary[captureKey] = capture
        defer { Thread.current.threadDictionary.removeObject(forKey: captureKey) }
        body()
        return capture
    }

    /// A JSON document as every command prints it (pretty, keys sorted, snake_case), or nil
    /// when it cannot be encoded (a bug).
    static func encode<T: Encodable>(_ document: T) -> Data? {
        try? DocumentEncoder.encode(document)
    }

    /// Prints one JSON document (pretty, keys sorted, snake_case).
    static func json<T: Encodable>(_ document: T) {
        guard let data = encode(document) else {
            err("error: internal error: the JSON output could not be encoded; this is a bug in mreg, please report it")
            return
        }
        write(data, error: false)
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Human-readable sizes and tables.
enum Format {
    /// Binary units with one decimal (see `NumberFormat`).
    static func bytes(_ count: Int64) -> String { NumberFormat.bytes(count) }

    /// Integers as integers, other values to 4 significant digits (see `NumberFormat`).
    static func metric(_ value: Double) -> String { NumberFormat.metric(value) }

    static func pValue(_ value: Double) -> String { NumberFormat.pValue(value) }

    /// Left-aligned columns separated by two spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = widths(all)
        return all.map { row($0, widths: widths) }.joined(separator: "\n")
    }

    /// Each column's width: its widest cell.
    static func widths(_ rows: [[String]]) -> [Int] {
        (rows.first ?? []).indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    }

    /// One line of a table; the last column is not padded, nor a cell wider than its column.
    static func row(_ cells: [String], widths: [Int]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
        }.joined(separator: "  ")
    }
}

extension Console {
    /// How every failure is reported: one line on stderr, and with `--json` the error document on
    /// stdout unless the command's own document already described the failure.
    static func report(_ error: RegistryError, json: Bool) {
        err("error: \(error.description)")
        if json && !error.documentPrinted { self.json(ErrorDocument(error)) }
    }
}
