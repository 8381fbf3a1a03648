import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Hands a response's body to a consumer as it arrives, never holding it whole; keeps at most
/// 64 KiB of a non-200 body (an error document) instead. The consumer runs on the connection's
/// thread, one chunk at a time; its failure cancels the request and is what the caller reports.
///
/// `@unchecked Sendable`: AsyncHTTPClient calls a delegate's methods one at a time on the
/// request's event loop, and `wait()` on its future orders the final read after them.
public final class StreamingDownload<Failure: Error>: HTTPClientResponseDelegate, @unchecked Sendable {
    /// How the answer began, and the body of any answer but 200.
    public struct Answer: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let errorBody: [UInt8]
    }
    public typealias Response = Answer

    private let consume: @Sendable (UnsafeRawBufferPointer) throws(Failure) -> Void
    private var head: HTTPResponseHead?
    private var errorBody = [UInt8]()
    private var failure: Failure?
    /// What stopped the consumer, read after the request's future completed.
    public var consumerFailure: Failure? { failure }
    /// How many body bytes of a 200 were consumed, read after the request's future completed
    /// (a body that broke off after its head).
    public private(set) var consumed: Int64 = 0

    public init(consume: @escaping @Sendable (UnsafeRawBufferPointer) throws(Failure) -> Void) {
        self.consume = consume
    }

    public func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        self.head = head
        return task.eventLoop.makeSucceededVoidFuture()
    }

    public func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard failure == nil else { return task.eventLoop.makeSucceededVoidFuture() }
        if head?.status == .ok {
            do throws(Failure) {
                try buffer.withUnsafeReadableBytes { (bytes) throws(Failure) in try consume(bytes) }
                consumed += Int64(buffer.readableBytes)
            } catch {
                failure = error
                task.cancel()
            }
        } else if errorBody.count < 65536 {
            errorBody += buffer.readableBytesView.prefix(65536 - errorBody.count)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    public func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        if let failure { throw failure }
        return Answer(status: Int(head?.status.code ?? 0), headers: head?.headers ?? [:], errorBody: errorBody)
    }

    public func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {}
}
