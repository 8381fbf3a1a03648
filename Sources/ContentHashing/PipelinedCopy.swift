import RegistryStorage
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
package enum PipelinedCopy {
    package static let depth = 3

    package static func run(
        from source: FileDescriptor, to target: FileDescriptor, chunkSize: Int, progress: (any ProgressObserver)?
    ) throws(ContentStoreError) -> (digest: Digest, size: Int64) {
        nonisolated(unsafe) var written: Int64 = 0  // touched only by the serial sink
        return try pipeline(from: source, chunkSize: chunkSize, progress: progress) { (chunk) throws(ContentStoreError) in
            try target.writeAll(chunk)
            target.startWriteback(offset: written, count: chunk.count)
            written += Int64(chunk.count)
        }
    }

    /// Reads and hashes `source` on this thread while `sink` handles the previous chunk on a
    /// second one (a copy's writes, a dataset profiler). `sink` runs serially, one chunk at a
    /// time, and has finished with every chunk when this returns.
    package static func pipeline(
        from source: FileDescriptor, chunkSize: Int, progress: (any ProgressObserver)?,
        sink: @escaping (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void
    ) throws(ContentStoreError) -> (digest: Digest, size: Int64) {
        let writer = ChunkSink(sink: sink, depth: depth)
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

/// The second half of a pipeline: a serial queue of sink calls and a count of free buffers.
///
/// `@unchecked Sendable`: the sink (and whatever it captures) and the chunks are touched only on
/// `queue` once handed over, and the caller does not touch them again until `drain` returns; a
/// chunk's buffer is reused only after its sink call has signalled `free`; `failure` is behind
/// a mutex.
private final class ChunkSink: @unchecked Sendable {
    private let sink: (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void
    private let queue = DispatchQueue(label: "mreg.blob-pipeline")
    private let free: DispatchSemaphore
    private let firstFailure = Mutex<ContentStoreError?>(nil)

    init(sink: @escaping (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void, depth: Int) {
        self.sink = sink
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
                try sink(chunk)
            } catch {
                firstFailure.withLock { if $0 == nil { $0 = error } }
            }
        }
    }

    /// Waits until every queued write has finished.
    func drain() { queue.sync {} }
}
