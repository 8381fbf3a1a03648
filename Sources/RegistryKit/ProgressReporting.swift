import RegistryModel

/// Creates a progress display for one long operation; the command line draws bars on a TTY.
public protocol ProgressDisplay: Sendable {
    func begin(_ label: String, totalBytes: Int64) -> any ProgressTask
}

/// One operation's progress: bytes advance from any thread; `finish` clears the display.
public protocol ProgressTask: ProgressObserver {
    func finish()
}
