/// Receives byte counts as a long operation (ingest, verify, export) streams data.
///
/// Declared here so the stores can report progress without knowing about terminals, and the
/// command line can draw a bar without knowing about the stores.
public protocol ProgressObserver: Sendable {
    func advance(by bytes: Int)
}
