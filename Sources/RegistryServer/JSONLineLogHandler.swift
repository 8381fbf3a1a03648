import Foundation
import Logging
import NIOConcurrencyHelpers
import RegistryModel

/// swift-log's handler for `mreg serve`: one JSON object per line on stderr, with the time, the
/// level, the message and the metadata as members (numbers stay numbers), keys sorted, so that a
/// log shipper reads it as it is.
struct JSONLineLogHandler: LogHandler {
    let label: String
    let writer: LogLineWriter
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, writer: LogLineWriter) {
        self.label = label
        self.writer = writer
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = [String: JSONValue]()
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, given in given }) { fields[key] = Self.json(value) }
        fields["at"] = .string(Timestamp.format(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["message"] = .string(event.message.description)
        if event.level >= .warning { fields["source"] = .string(event.source) }
        if let error = event.error { fields["failure"] = .string(String(describing: error)) }
        guard let line = try? CanonicalJSON.string(.object(fields), numbers: .kept) else { return }
        writer.write(line)
    }

    /// A metadata value as JSON: an integer, a real number or a boolean given as such stays one.
    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value):
            if let number = value as? Int { .integer(Int64(number)) }
            else if let number = value as? Double, number.isFinite { .number(number) }
            else if let flag = value as? Bool { .bool(flag) }
            else { .string(value.description) }
        case .array(let values): .array(values.map(json))
        case .dictionary(let members): .object(members.mapValues(json))
        }
    }
}

/// Writes log lines to stderr on a queue of its own, so a reader of stderr that falls behind (a
/// full pipe, a stalled log shipper) never holds up a request; past `maximumPending` unwritten
/// lines, new ones are dropped and counted (`mreg_log_lines_dropped_total`) rather than kept in memory.
final class LogLineWriter: Sendable {
    static let maximumPending = 10_000
    private let queue = DispatchQueue(label: "mreg.log")
    private let pending = NIOLockedValueBox(0)
    private let dropped: @Sendable () -> Void

    init(dropped: @escaping @Sendable () -> Void) { self.dropped = dropped }

    func write(_ line: String) {
        let admitted = pending.withLockedValue { count in
            guard count < Self.maximumPending else { return false }
            count += 1
            return true
        }
        guard admitted else { return dropped() }
        queue.async { [pending] in
            FileHandle.standardError.write(Data((line + "\n").utf8))
            pending.withLockedValue { $0 -= 1 }
        }
    }
}
