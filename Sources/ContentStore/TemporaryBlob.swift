import ContentHashing
import RegistryStorage
import Glibc

/// A file being written under `tmp/`, locked for as long as its writer lives.
///
/// The lock is what makes cleanup safe: a later process removes a temporary file only when it
/// can take the lock (so the writer is gone, even after `kill -9`) and the file is older than a
/// short grace period (which covers the instant between creating the file and locking it).
final class TemporaryBlob {
    let path: String
    let file: FileDescriptor

    init(in directory: String) throws(ContentStoreError) {
        let token = String(UInt64.random(in: .min ... .max), radix: 16)
        path = "\(directory)/ingest-\(getpid())-\(token)\(TemporaryBlob.suffix)"
        file = try FileDescriptor.createExclusive(path)
        _ = file.lockExclusive(wait: true)
    }

    static let suffix = ".partial"

    /// Removes the temporary file; used on every path that does not rename it into place.
    func discard() {
        unlink(path)
        try? file.close()
    }
}

extension BlobStore {
    /// Removes temporary files whose writer is provably gone; returns how many were removed.
    @discardableResult
    public func sweepAbandonedTemporaries(graceSeconds: Double = 2, now: Double? = nil) -> Int {
        guard let names = try? directoryEntries(temporaryDirectory) else { return 0 }
        var current = timespec()
        clock_gettime(CLOCK_REALTIME, &current)
        let nowSeconds = now ?? (Double(current.tv_sec) + Double(current.tv_nsec) / 1e9)
        var removed = 0
        for name in names {
            let path = temporaryDirectory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            guard nowSeconds - modified >= graceSeconds else { continue }
            guard let candidate = try? FileDescriptor.openForReading(path), candidate.lockExclusive(wait: false) else { continue }
            if unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}
