import Foundation

/// A span of time as people write it in flags and configuration: `90d`, `12h`, `30m`, `2w`.
public enum DurationText {
    /// Seconds in `text` (a positive whole number and one of m, h, d, w), or nil.
    public static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        let scale: TimeInterval? = switch unit {
        case "m": 60
        case "h": 3_600
        case "d": 86_400
        case "w": 604_800
        default: nil
        }
        return scale.map { TimeInterval(count) * $0 }
    }
}
