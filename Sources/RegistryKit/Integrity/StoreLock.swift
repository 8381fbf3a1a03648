import Foundation
import Glibc

/// Coordinates garbage collection with writers through `flock` on `registry/gc.lock`.
///
/// A registration holds it shared from its first blob until its version row is committed, since
/// in between its blobs are referenced by nothing yet; `gc` holds it exclusively, so it never
/// deletes a blob that a registration in flight is about to reference. The kernel releases the
/// lock when a holder dies, so a `kill -9` never leaves the registry locked.
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
                        + (exclusive ? "registrations are in progress" : "a garbage collection is in progress"),
                    hint: "run it again when the other command has finished")
            }
            usleep(20_000)
        }
        return lock
    }
}
