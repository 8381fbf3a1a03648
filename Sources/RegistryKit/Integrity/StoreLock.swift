import Foundation
import Glibc

/// Coordinates this machine's commands through `flock` on `registry/gc.lock`.
///
/// Writers (registrations, evaluations, …) and gc hold it shared: what keeps gc from removing a
/// blob a writer is about to reference is the collection log (`BlobCollectionLogging`), which
/// works across machines. It is held exclusively by `migrate`, which holds every writer off, and
/// by gc only when it can take it at once, to sweep temporary files of any age: under it, no
/// writer is left to own one. The kernel releases the lock when a holder dies, so a `kill -9`
/// never leaves the registry locked.
final class StoreLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    /// Takes the lock, waiting up to `timeout` seconds for the other side to let go.
    static func acquire(_ layout: RegistryLayout, exclusive: Bool, timeout: Double, purpose: String) throws(RegistryError) -> StoreLock {
        let path = layout.gcLock
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RegistryError(.io, "cannot open the lock file '\(path)': \(RegistryError.systemMessage(errno))") }
        let lock = StoreLock(fd: fd)
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                throw RegistryError(
                    .locked, "\(purpose) waited \(Int(timeout)) s for '\(path)': "
                        + (exclusive ? "other commands are in progress" : "a migration holds the registry"),
                    hint: "run it again when the other command has finished")
            }
            usleep(20_000)
        }
        return lock
    }
}
