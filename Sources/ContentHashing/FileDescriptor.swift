#if canImport(Glibc)
import RegistryStorage
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor owned by one object, closed exactly once.
///
/// Foundation's `FileHandle.read` allocates a `Data` per chunk (about 13% slower here); the store
/// streams through a reused buffer with `read(2)`/`write(2)` instead.
package final class FileDescriptor {
    package let fd: Int32
    package let path: String
    private var isOpen = true

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    package static func openForReading(_ path: String) throws(ContentStoreError) -> FileDescriptor {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        return FileDescriptor(fd: fd, path: path)
    }

    /// Creates a new file that must not exist yet (`O_EXCL`), so two writers never share one.
    package static func createExclusive(_ path: String, mode: mode_t = 0o600) throws(ContentStoreError) -> FileDescriptor {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(operation: "create", path: path, errno: errno) }
        return FileDescriptor(fd: fd, path: path)
    }

    package static func openDirectory(_ path: String) throws(ContentStoreError) -> FileDescriptor {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open directory", path: path, errno: errno) }
        return FileDescriptor(fd: fd, path: path)
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ContentStoreError) -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw .io(operation: "read", path: path, errno: errno) }
        }
    }

    package func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ContentStoreError) {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            offset += count
        }
    }

    /// Asks the kernel to start writing these bytes to disk now, without waiting: the `fsync`
    /// at the end then finds little left to write, and the writeback overlaps the hashing
    /// instead of following it. Advisory: a failure here is seen again by that `fsync`.
    package func startWriteback(offset: Int64, count: Int) {
        _ = Self.syncFileRange?(fd, offset, Int64(count), Self.syncFileRangeWrite)
    }

    /// Linux's `sync_file_range(2)`, which Swift's Glibc module does not import; nil elsewhere.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        #else
        return nil
        #endif
    }()
    private static let syncFileRangeWrite: UInt32 = 2  // SYNC_FILE_RANGE_WRITE

    package func sync() throws(ContentStoreError) {
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    package func setMode(_ mode: mode_t) throws(ContentStoreError) {
        guard fchmod(fd, mode) == 0 else { throw .io(operation: "chmod", path: path, errno: errno) }
    }

    /// Takes an exclusive advisory lock; it is released by the kernel when the process dies,
    /// which is what lets a later process prove a temporary file abandoned.
    package func lockExclusive(wait: Bool) -> Bool {
        flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0
    }

    package func close() throws(ContentStoreError) {
        guard isOpen else { return }
        isOpen = false
        guard Glibc.close(fd) == 0 else { throw .io(operation: "close", path: path, errno: errno) }
    }

    deinit {
        if isOpen { _ = Glibc.close(fd) }
    }
}
