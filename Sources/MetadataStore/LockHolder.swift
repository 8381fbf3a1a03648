import Foundation
import RegistryStorage

extension LockHolder {
    /// SQLite's WAL write lock is a POSIX lock on byte 120 of the `-shm` file (`WAL_WRITE_LOCK`);
    /// Linux lists every POSIX lock, with its owner, in /proc/locks.
    static let walWriteLockOffset = "120"

    /// Finds the holder of the write lock on the database at `databasePath`; nil when none is
    /// visible (another OS, another mount namespace, or the lock was just released).
    public static func find(databasePath: String) -> LockHolder? {
        var info = stat()
        guard stat(databasePath + "-shm", &info) == 0,
            let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8)
        else { return nil }
        let inode = String(info.st_ino)
        for line in locks.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 120 120"
            guard fields.count >= 8, fields[1] == "POSIX", fields[3] == "WRITE",
                fields[5].split(separator: ":").last.map(String.init) == inode, fields[6] == walWriteLockOffset,
                let pid = Int32(fields[4]), pid > 0
            else { continue }
            return LockHolder(pid: pid, command: commandLine(of: pid), startedAt: startTime(of: pid))
        }
        return nil
    }

    private static func commandLine(of pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return "pid \(pid)" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// From field 22 of /proc/PID/stat (clock ticks after boot) and the boot time in /proc/stat.
    private static func startTime(of pid: Int32) -> Date? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            let system = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let bootLine = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(bootLine.dropFirst(6))
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command, fields start at field 3 (state); start time is field 22.
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        return Date(timeIntervalSince1970: boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK))))
    }
}
