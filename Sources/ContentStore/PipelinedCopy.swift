import Dispatch
import Glibc
import RegistryModel
import Synchronization

/// Copies a file while hashing it, with the hashing and the writing on two threads.
///
/// SHA-256 (user time) and the kernel's copy into the page cache (system time) are both CPU
/// work; done in turn they add up, done in a pipeline they overlap. The reading thread hashes
/// chunk n+1 while the writer thread writes chunk n. At most `depth` chunks are in flight, so
/// memory stays at `depth` × chunk size whatever the file size.
enum PipelinedCopy {
    static let depth = 3

    static func run(
        from source: FileDescriptor, to target: FileDescriptor, chunkSize: Int, progress: (any ProgressObserver)?
    ) throws(ContentStoreError) -> (digest: Digest, size: Int64) {
        let writer = ChunkWriter(target: target, depth: depth)
        let buffers = (0..<depth).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096) }
        // Pending writes still point into the buffers: wait for them before freeing.
        defer {
            writer.drain()
            buffers.forEach { $0.deallocate() }
        }
        var hasher = StreamingSHA256()
        var total: Int64 = 0
        var index = 0
        while true {
            writer.waitForFreeBuffer()
            if let failure = writer.failure {
                writer.returnBuffer()
                throw failure
            }
            let buffer = buffers[index % depth]
            let count: Int
            do throws(ContentStoreError) {
                count = try source.read(into: buffer)
            } catch {
                writer.returnBuffer()
                throw error
            }
            if count == 0 {
                writer.returnBuffer()
                break
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(chunk)
            writer.write(chunk)
            total += Int64(count)
            progress?.advance(by: count)
            index += 1
        }
        writer.drain()
        if let failure = writer.failure { throw failure }
        return (hasher.finalize(), total)
    }
}

/// The writing half of a `PipelinedCopy`: a serial queue of writes and a count of free buffers.
///
/// `@unchecked Sendable`: the file descriptor and the chunks are touched only on `queue` once
/// handed over, a chunk's buffer is reused only after its write has signalled `free`, and
/// `failure` is behind a mutex.
private final class ChunkWriter: @unchecked Sendable {
    private let target: FileDescriptor
    private let queue = DispatchQueue(label: "mreg.blob-writer")
    private let free: DispatchSemaphore
    private let firstFailure = Mutex<ContentStoreError?>(nil)

    init(target: FileDescriptor, depth: Int) {
        self.target = target
        // Created at 0 and raised to `depth`: libdispatch traps when a semaphore is freed below
        // its initial value, which an early exit on an error could otherwise cause.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<depth { free.signal() }
    }

    var failure: ContentStoreError? { firstFailure.withLock { $0 } }

    func waitForFreeBuffer() { free.wait() }

    func returnBuffer() { free.signal() }

    func write(_ chunk: UnsafeRawBufferPointer) {
        nonisolated(unsafe) let chunk = chunk
        queue.async { [self] in
            defer { free.signal() }
            guard failure == nil else { return }
            do throws(ContentStoreError) {
                try target.writeAll(chunk)
            } catch {
                firstFailure.withLock { if $0 == nil { $0 = error } }
            }
        }
    }

    /// Waits until every queued write has finished.
    func drain() { queue.sync {} }
}
