import Foundation
import RegistryKit
import Synchronization

/// Progress bars on stderr, redrawn at most ten times a second; only used on a terminal and
/// never with `--json` or `--quiet`.
struct TerminalProgress: ProgressDisplay {
    func begin(_ label: String, totalBytes: Int64) -> any ProgressTask {
        TerminalProgressTask(label: label, total: totalBytes)
    }
}

final class TerminalProgressTask: ProgressTask {
    private struct State {
        var done: Int64 = 0
        /// Negative so the first chunk draws at once; later draws are throttled.
        var lastDraw: Double = -1
        var drawn = false
    }

    private let label: String
    private let total: Int64
    private let start = Date()
    private let state = Mutex(State())

    init(label: String, total: Int64) {
        self.label = label
        self.total = total
    }

    func advance(by bytes: Int) {
        let now = Date().timeIntervalSince(start)
        let line: String? = state.withLock { state in
            state.done += Int64(bytes)
            guard now - state.lastDraw >= 0.1 else { return nil }
            state.lastDraw = now
            state.drawn = true
            return render(done: state.done, elapsed: now)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8)) }
    }

    func finish() {
        let drawn = state.withLock { $0.drawn }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func render(done: Int64, elapsed: Double) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        return "\(label) \(bar) \(Int(fraction * 100))% \(Format.bytes(done))/\(Format.bytes(total)) "
            + "\(Format.bytes(Int64(rate)))/s ETA \(Int(eta.rounded()))s"
    }
}
