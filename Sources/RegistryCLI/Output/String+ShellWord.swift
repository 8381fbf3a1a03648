extension String {
    /// This word as a POSIX shell reads it back: as is when it holds nothing the shell treats
    /// specially, else in single quotes, for a command line a note suggests.
    var shellWord: String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:=@+,-")
        if !isEmpty, allSatisfy(plain.contains) { return self }
        return "'" + replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
