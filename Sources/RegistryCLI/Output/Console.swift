import Foundation
import RegistryKit
import RegistryModel

/// Where commands write: documents and tables to stdout, diagnostics to stderr.
enum Console {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
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
        FileHandle.standardOutput.write(data)
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Human-readable sizes and tables.
///
/// Formatted by hand rather than with `String(format:)`, which cost a sixth of `list --all`'s
/// time on 10,000 versions.
enum Format {
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(count) B" }
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// Integers as integers, other values to 4 significant digits (see `NumberFormat`).
    static func metric(_ value: Double) -> String { NumberFormat.metric(value) }

    static func pValue(_ value: Double) -> String { NumberFormat.pValue(value) }

    /// Left-aligned columns separated by two spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
