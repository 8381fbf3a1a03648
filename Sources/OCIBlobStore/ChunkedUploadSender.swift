import RegistryStorage

/// Sends a stream of chunks as an OCI chunked upload: PATCH requests of at most `chunkSize`
/// bytes each (`Content-Range` from–to), each streamed as the bytes arrive, following the
/// `Location` every answer gives. Memory stays at one read buffer whatever the file size.
final class ChunkedUploadSender {
    private let client: OCIClient
    private let length: Int64
    private let chunkSize: Int64
    /// The file being sent, for messages.
    private let source: String
    private var location: String
    private var sent: Int64 = 0
    private var current: (request: OCIClient.StreamedRequest, end: Int64)?

    init(client: OCIClient, location: String, source: String, length: Int64, chunkSize: Int64) {
        self.client = client
        self.source = source
        self.location = location
        self.length = length
        self.chunkSize = chunkSize
    }

    func send(_ chunk: UnsafeRawBufferPointer) throws(ContentStoreError) {
        var rest = chunk
        while !rest.isEmpty {
            if sent >= length { throw .sizeMismatch(expected: length, actual: sent + Int64(rest.count), path: source) }
            if current == nil {
                let end = min(sent + chunkSize, length)
                let request = try client.beginStream(
                    .PATCH, location,
                    headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(sent)-\(end - 1)")], length: end - sent)
                current = (request, end)
            }
            guard let (request, end) = current else { return }
            let count = Int(min(Int64(rest.count), end - sent))
            try request.write(UnsafeRawBufferPointer(rebasing: rest[0..<count]))
            sent += Int64(count)
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            if sent == end { try finishPatch(request) }
        }
    }

    private func finishPatch(_ request: OCIClient.StreamedRequest) throws(ContentStoreError) {
        current = nil
        let response = try request.finish()
        guard response.status == 202, let next = response.header("Location") else { throw client.failure("a chunk of the upload", response) }
        location = next
    }

    /// The upload's location once every byte was sent; the caller commits it with the digest.
    func finish() throws(ContentStoreError) -> String {
        abandonPatch()
        guard sent == length else { throw .sizeMismatch(expected: length, actual: sent, path: source) }
        return location
    }

    /// Gives the upload up: nothing of it is stored.
    func cancel(_ store: OCIBlobStore) {
        abandonPatch()
        store.cancelUpload(at: location)
    }

    private func abandonPatch() {
        if let (request, _) = current {
            current = nil
            request.abandon()
        }
    }
}
