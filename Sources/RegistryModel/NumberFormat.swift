import Foundation

/// How every report prints a measured number: integers as integers, others to 4 significant
/// digits (`0.7893`, `1234`), tiny ones in scientific notation. One rule for tables, drift
/// reasons and metric lines, so the same value never reads two ways.
public enum NumberFormat {
    public static func metric(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        let magnitude = abs(value)
        guard magnitude >= 1e-4, magnitude < 1e15 else { return "\(value)" }
        let scale = pow(10, Double(3 - Int(log10(magnitude).rounded(.down))))
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int64(rounded)) : "\(rounded)"
    }

    /// A size in bytes with binary units and one decimal (`1.5 KiB`), by hand rather than with
    /// `String(format:)`, which cost a sixth of `list --all`'s time on 10,000 versions.
    public static func bytes(_ count: Int64) -> String {
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

    /// p-values: like metrics, and tiny ones in scientific notation with three digits.
    public static func pValue(_ value: Double) -> String {
        value > 0 && value < 1e-4 ? String(format: "%.2e", value) : metric(value)
    }
}
