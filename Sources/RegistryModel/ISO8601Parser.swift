import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads the ISO 8601 forms a person types for "at that moment": a date alone (`2026-12-01`,
/// `20261201`, ordinal `2026-335`, week `2026-W49-2`), or a date with a time after `T` or a
/// space (`12`, `12:30`, `12:30:15`, `12:30:15.250` or `,250`, basic `123015`), then `Z`, an
/// offset (`+02`, `+02:00`, `+0200`) or nothing, which means UTC. A date alone is its start.
enum ISO8601Parser {
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let separator = trimmed.firstIndex { $0 == "T" || $0 == "t" || $0 == " " }
        let datePart = separator.map { String(trimmed[..<$0]) } ?? trimmed
        guard let day = dayNumber(datePart) else { return nil }
        var seconds = Double(day) * 86_400
        if let separator {
            guard let time = timeOfDay(String(trimmed[trimmed.index(after: separator)...])) else { return nil }
            seconds += time
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days since 1970-01-01 of a calendar, ordinal or week date.
    private static func dayNumber(_ text: String) -> Int? {
        let plain = text.replacingOccurrences(of: "-", with: "")
        if plain.contains("W") || plain.contains("w") {
            // Week date: YYYYWwwD; week 1 is the week with January 4th, weeks start on Monday.
            let parts = plain.uppercased().split(separator: "W", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), parts[1].count == 2 || parts[1].count == 3,
                let week = Int(parts[1].prefix(2)), (1...53).contains(week)
            else { return nil }
            let weekday = parts[1].count == 3 ? Int(parts[1].suffix(1)) ?? 0 : 1
            guard (1...7).contains(weekday), let january4 = civilDay(year: year, month: 1, day: 4) else { return nil }
            let mondayOfWeek1 = january4 - ((january4 + 3) % 7 + 7) % 7   // 1970-01-01 was a Thursday
            return mondayOfWeek1 + (week - 1) * 7 + (weekday - 1)
        }
        guard plain.allSatisfy(\.isASCII), plain.allSatisfy(\.isNumber), let year = Int(plain.prefix(4)) else { return nil }
        switch plain.count {
        case 8:
            guard let month = Int(plain.dropFirst(4).prefix(2)), let day = Int(plain.suffix(2)) else { return nil }
            return civilDay(year: year, month: month, day: day)
        case 7:
            guard let ordinal = Int(plain.suffix(3)), (1...366).contains(ordinal), let first = civilDay(year: year, month: 1, day: 1) else { return nil }
            return first + ordinal - 1
        default:
            return nil
        }
    }

    /// Seconds after midnight UTC of a time with an optional offset.
    private static func timeOfDay(_ text: String) -> Double? {
        var clock = text
        var offset = 0.0
        if clock.hasSuffix("Z") || clock.hasSuffix("z") {
            clock.removeLast()
        } else if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = clock[clock.index(after: sign)...].replacingOccurrences(of: ":", with: "")
            guard zone.count == 2 || zone.count == 4, zone.allSatisfy(\.isNumber), let hours = Int(zone.prefix(2)), hours < 24,
                let minutes = zone.count == 4 ? Int(zone.suffix(2)) : 0, minutes < 60
            else { return nil }
            offset = Double(hours * 3600 + minutes * 60) * (clock[sign] == "+" ? 1 : -1)
            clock = String(clock[..<sign])
        }
        var fraction = 0.0
        if let mark = clock.firstIndex(where: { $0 == "." || $0 == "," }) {
            let digits = clock[clock.index(after: mark)...]
            guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let value = Double("0." + digits) else { return nil }
            fraction = value
            clock = String(clock[..<mark])
        }
        let digits = clock.replacingOccurrences(of: ":", with: "")
        guard [2, 4, 6].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let fields = stride(from: 0, to: digits.count, by: 2).map { Int(digits.dropFirst($0).prefix(2))! }
        guard fields[0] <= 24, fields.count < 2 || fields[1] < 60, fields.count < 3 || fields[2] <= 60 else { return nil }
        // The fraction belongs to the last field given: 12.5 is 12:30.
        let units = [3600.0, 60.0, 1.0]
        var seconds = zip(fields, units).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        seconds += fraction * units[fields.count - 1]
        return seconds - offset
    }

    /// Days since 1970-01-01, or nil for a date that does not exist.
    private static func civilDay(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = 12
        var seconds = timegm(&parts)
        var check = tm()
        gmtime_r(&seconds, &check)
        guard check.tm_mday == Int32(day), check.tm_mon == Int32(month - 1) else { return nil }
        return Int((Int64(seconds) - 12 * 3600).floorDivided(by: 86_400))
    }
}
