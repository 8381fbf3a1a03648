import Foundation

/// Timestamps as stored and printed: ISO 8601 in UTC with milliseconds, which sorts as text.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    private static let plainStyle = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)

    public static func format(_ date: Date) -> String { style.format(date) }

    /// Parses `2026-03-01T12:00:00Z` with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        (try? style.parse(text)) ?? (try? plainStyle.parse(text))
    }
}
