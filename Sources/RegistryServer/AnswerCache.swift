import Foundation
import RegistryKit

/// Answers of the routes that say only what the registry recorded (`show`), remembered with what
/// they were computed at, so that the same question asked again is answered after one statement
/// (the token's, which reads the ledger's head too) instead of a `show`'s reads, checks and
/// encoding. A remembered answer is given only while all of these still hold:
/// - the ledger's head is the same: every change to what a version's facts say (a registration,
///   an alias move, an evaluation, a signature, a deletion…) appends an event in the same
///   transaction, and writers append in sequence order under one lock, so an unchanged head is
///   unchanged facts, on every replica (the head is read from the shared database);
/// - the trusted keys' files are the same (a signature's state depends on them);
/// - it is younger than the time the server takes a blob it found intact to stay so
///   (`IntactBlobs`): the answer re-checked the version's documents no longer ago than that.
/// Only answers that succeeded are remembered. Memory is bounded by `capacity` bytes.
final class AnswerCache: @unchecked Sendable {
    // Safe: every member but the constant `capacity` is read and written under `lock`.
    struct Stamp: Equatable {
        let ledgerHead: Int64
        let trustedKeys: String
    }

    private struct Entry {
        let stamp: Stamp
        let expires: Double
        let answer: RouteAnswer
        let bytes: Int
    }

    private let lock = NSLock()
    private var entries = [String: Entry]()
    private var bytes = 0
    /// The most bytes of answers remembered (0: none).
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The key of a call: its route, parameters (in order) and the answer's form.
    static func key(route: ServerRoute, items: [(String, String)], form: AnswerForm) -> String {
        ([route.method.rawValue, route.path, form.cli ? "cli:" + form.header : "document"] + items.flatMap { [$0.0, $0.1] })
            .joined(separator: "\u{0}")
    }

    /// The answer remembered for `key`, if it was computed at `stamp` and is still young enough.
    func answer(for key: String, at stamp: Stamp) -> RouteAnswer? {
        let now = ProcessInfo.processInfo.systemUptime
        return lock.withLock {
            guard let entry = entries[key], entry.stamp == stamp, entry.expires > now else { return nil }
            return entry.answer
        }
    }

    /// Remembers a successful answer computed at `stamp`, for as long as blobs found intact are
    /// taken to stay so (not at all when that is 0).
    func remember(_ answer: RouteAnswer, for key: String, at stamp: Stamp) {
        let lifetime = IntactBlobs.shared.seconds
        let size = key.utf8.count + answer.stdout.count + answer.stderr.count + stamp.trustedKeys.utf8.count
        guard answer.failure == nil, answer.gitNote == nil, lifetime > 0, size <= capacity else { return }
        let now = ProcessInfo.processInfo.systemUptime
        lock.withLock {
            if let old = entries.removeValue(forKey: key) { bytes -= old.bytes }
            if bytes + size > capacity {
                // Expired answers go first; if that is not enough, all of them (the next calls
                // fill it again with what is asked now).
                entries = entries.filter { $0.value.expires > now }
                bytes = entries.values.reduce(0) { $0 + $1.bytes }
                if bytes + size > capacity {
                    entries.removeAll()
                    bytes = 0
                }
            }
            // Each between half the lifetime and all of it: answers remembered together (a
            // server's first minute) then expire spread out, not all in the same second.
            entries[key] = Entry(stamp: stamp, expires: now + lifetime * Double.random(in: 0.5...1), answer: answer, bytes: size)
            bytes += size
        }
    }
}
