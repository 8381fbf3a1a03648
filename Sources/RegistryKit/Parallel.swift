import Dispatch
import Synchronization

/// Runs independent jobs (one per file) on a few threads, for multi-file models.
///
/// Jobs are taken largest-first by the caller's ordering; the first failure stops new jobs from
/// starting and is the one reported.
enum Parallel {
    /// Two workers: the machine has two cores, and hashing plus writing keeps both busy.
    static let defaultWorkers = 2

    static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], workers: Int = defaultWorkers, _ body: @escaping @Sendable (Item) throws(RegistryError) -> Result
    ) throws(RegistryError) -> [Result] {
        if items.count <= 1 || workers <= 1 {
            var results = [Result]()
            for item in items { results.append(try body(item)) }
            return results
        }
        let state = Mutex(State<Result>(results: Array(repeating: nil, count: items.count)))
        DispatchQueue.concurrentPerform(iterations: min(workers, items.count)) { _ in
            while true {
                let index: Int? = state.withLock { state in
                    guard state.failure == nil, state.next < items.count else { return nil }
                    defer { state.next += 1 }
                    return state.next
                }
                guard let index else { return }
                do throws(RegistryError) {
                    let result = try body(items[index])
                    state.withLock { $0.results[index] = result }
                } catch {
                    state.withLock { if $0.failure == nil { $0.failure = error } }
                }
            }
        }
        return try state.withLock { (state) throws(RegistryError) -> [Result] in
            if let failure = state.failure { throw failure }
            return state.results.map { $0! }
        }
    }

    private struct State<Result> {
        var results: [Result?]
        var next = 0
        var failure: RegistryError?
    }
}
