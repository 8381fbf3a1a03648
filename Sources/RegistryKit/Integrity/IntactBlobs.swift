import Foundation

/// Blobs this process found intact in their store, each remembered for `seconds` (0, the
/// default, remembers nothing: a command reads every blob it checks). `mreg serve` turns it on,
/// for the reads that check a version's documents (`show`, gates); `verify` never consults it.
public final class IntactBlobs: @unchecked Sendable {
    // Safe: every member is read and written under `lock`.
    private let lock = NSLock()
    private var seen = [String: Double]()
    private var lifetime: Double = 0
    /// Past this many remembered blobs, the expired ones are dropped (and all of them, if none had expired).
    static let capacity = 100_000

    public static let shared = IntactBlobs()

    /// How long a blob found intact is taken to be so.
    public var seconds: Double {
        get { lock.withLock { lifetime } }
        set { lock.withLock { lifetime = newValue } }
    }

    func contains(_ key: String) -> Bool {
        let now = ProcessInfo.processInfo.systemUptime
        return lock.withLock { (seen[key] ?? 0) > now }
    }

    func insert(_ key: String) {
        let now = ProcessInfo.processInfo.systemUptime
        lock.withLock {
            guard lifetime > 0 else { return }
            if seen.count >= Self.capacity {
                seen = seen.filter { $0.value > now }
                if seen.count >= Self.capacity { seen.removeAll() }
            }
            seen[key] = now + lifetime
        }
    }
}
