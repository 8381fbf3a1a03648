import Foundation
import RegistryModel

/// Ranking: items grouped by query, each with a graded relevance and the model's score.
///
/// Within a query items are ranked by descending score (ties keep file order). Queries with no
/// relevant item (every relevance 0) say nothing about the ranking and are left out of every
/// metric; the report says how many.
public struct RankingMetrics: Sendable {
    public let k: Int
    /// Per query: precision@k, recall@k, average precision, NDCG@k, reciprocal rank.
    let perQuery: [[Double]]
    public let queries: Int
    public let skippedQueries: Int

    public var names: [String] { ["precision_at_\(k)", "recall_at_\(k)", "map", "ndcg_at_\(k)", "mrr"] }

    public init(queries queryIDs: [String], relevance: [Double], scores: [Double], k: Int) throws(EvaluationError) {
        guard queryIDs.count == relevance.count, relevance.count == scores.count else {
            throw EvaluationError("query, relevance and score columns differ in length")
        }
        guard k >= 1 else { throw EvaluationError("--k must be at least 1") }
        guard !queryIDs.isEmpty else { throw EvaluationError("there are no predictions to evaluate") }
        if let bad = relevance.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw EvaluationError("the relevance \(relevance[bad]) is not a number of 0 or more", row: bad)
        }
        var groups = [String: [Int]]()
        var order = [String]()
        for (row, query) in queryIDs.enumerated() {
            if groups[query] == nil { order.append(query) }
            groups[query, default: []].append(row)
        }
        var perQuery = [[Double]]()
        var skipped = 0
        for query in order {
            let rows = groups[query]!
            let ranked = rows.enumerated().sorted { a, b in
                scores[a.element] != scores[b.element] ? scores[a.element] > scores[b.element] : a.offset < b.offset
            }.map { relevance[$0.element] }
            let relevant = ranked.filter { $0 > 0 }.count
            guard relevant > 0 else {
                skipped += 1
                continue
            }
            let top = ranked.prefix(k)
            let hitsAtK = Double(top.filter { $0 > 0 }.count)
            var hits = 0.0, precisionSum = 0.0
            var reciprocal = 0.0
            for (rank, gain) in ranked.enumerated() where gain > 0 {
                hits += 1
                precisionSum += hits / Double(rank + 1)
                if reciprocal == 0 { reciprocal = 1 / Double(rank + 1) }
            }
            func dcg(_ gains: ArraySlice<Double>) -> Double {
                gains.enumerated().reduce(0) { $0 + $1.element / log2(Double($1.offset) + 2) }
            }
            let ideal = dcg(ranked.sorted(by: >).prefix(k))
            perQuery.append([hitsAtK / Double(k), hitsAtK / Double(relevant), precisionSum / Double(relevant), dcg(top) / ideal, reciprocal])
        }
        guard !perQuery.isEmpty else { throw EvaluationError("no query has a relevant item (every relevance is 0)") }
        self.k = k
        self.perQuery = perQuery
        queries = order.count
        skippedQueries = skipped
    }

    public var count: Int { perQuery.count }

    /// Weighted means over queries (the bootstrap resamples queries).
    func values<W: ExampleWeights>(weights: inout W) -> [Double] {
        var sums = [Double](repeating: 0, count: 5)
        var total = 0.0
        for values in perQuery {
            let w = weights.next()
            total += w
            for index in 0..<5 { sums[index] += w * values[index] }
        }
        return sums.map { total > 0 ? $0 / total : .nan }
    }

    public func pointEstimate() -> [(String, Double)] {
        Array(zip(names, { var unit = UnitWeights(); return values(weights: &unit) }()))
    }
}
