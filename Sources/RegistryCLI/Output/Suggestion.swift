/// "Did you mean …": the valid word nearest to a mistyped one, by edit distance.
enum Suggestion {
    /// The candidate closest to `word`, when it is close enough to be a typo of it.
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        let scored = candidates.map { ($0, distance(typed, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, typed.count / 3) ? best.0 : nil
    }

    /// ", did you mean 'binary'?" or nothing.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        nearest(word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Edit distance where swapping two neighbours counts as one edit (`lsit` → `list`).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
