import Foundation
import RegistryTestSupport
import Testing
@testable import DatasetProfiling

/// Profiles `text` fed in chunks of `chunk` bytes.
func profile(_ text: String, _ format: TableProfile.Format = .csv, chunk: Int = 1 << 20) -> TableProfile {
    profile(Array(text.utf8), format, chunk: chunk)
}

func profile(_ bytes: [UInt8], _ format: TableProfile.Format = .csv, chunk: Int = 1 << 20) -> TableProfile {
    let profiler = TableProfiler(format: format)
    var offset = 0
    bytes.withUnsafeBytes { buffer in
        while offset < buffer.count {
            let end = min(offset + chunk, buffer.count)
            profiler.consume(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]))
            offset = end
        }
    }
    return profiler.finish()
}

extension TableProfile {
    func column(_ name: String) -> ColumnProfile? { columns.first { $0.name == name } }
}

@Suite struct TableProfilerTests {
    @Test func typesCountsAndMomentsOfASmallCSV() throws {
        let table = profile("""
            id,age,score,plan,active,note
            1,34,0.5,basic,true,
            2,,1.5,pro,false,NA
            3,51,2.5,basic,TRUE,x
            4,29,-1e1,,false,null

            """)
        #expect(table.rows == 4 && table.problems.isClean)
        #expect(table.columns.map(\.name) == ["id", "age", "score", "plan", "active", "note"])
        #expect(table.columns.map(\.type) == [.integer, .integer, .number, .string, .boolean, .string])
        let age = try #require(table.column("age"))
        #expect(age.count == 3 && age.missing == 1)
        let numeric = try #require(age.numeric)
        #expect(numeric.min == 29 && numeric.max == 51)
        #expect(abs(numeric.mean - 38) < 1e-12)
        // Sample standard deviation of 34, 51, 29: sqrt(((−4)² + 13² + (−9)²) / 2) = sqrt(133).
        #expect(abs(numeric.std - 133.0.squareRoot()) < 1e-12)
        #expect(numeric.sample == [29, 34, 51] && numeric.quantiles.first == 29 && numeric.quantiles.last == 51)
        #expect(numeric.quantiles[10] == 34, "the median")
        let score = try #require(table.column("score")?.numeric)
        #expect(score.min == -10 && score.max == 2.5)
        let plan = try #require(table.column("plan"))
        #expect(plan.missing == 1 && plan.top == [ValueCount(value: "basic", count: 2), ValueCount(value: "pro", count: 1)])
        #expect(plan.distinctEstimate == 2)
        #expect(table.column("note")?.missing == 3, "empty, NA and null are missing")
        #expect(table.column("active")?.top.map(\.count).reduce(0, +) == 4)
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws {
        let table = profile("name,comment,n\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\",1\r\nplain,\"\",2\r\n")
        #expect(table.rows == 2 && table.problems.isClean)
        #expect(table.column("name")?.top.map(\.value) == ["Smith, J", "plain"])
        #expect(table.column("comment")?.top.map(\.value) == ["said \"hi\"\nthen left"])
        #expect(table.column("comment")?.missing == 1)
        #expect(table.column("n")?.type == .integer && table.column("n")?.numeric?.max == 2, "CRLF does not stick to the last field")
    }

    /// The same bytes give the same profile however they are cut into chunks.
    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func chunkBoundariesDoNotMatter(chunk: Int) throws {
        var random = SeededGenerator(seed: 5)
        var text = "a,b,c\n"
        for row in 0..<400 {
            let quoted = random.next() % 5 == 0 ? "\"q,\"\"\(row)\"\"\n\"" : "t\(random.next() % 9)"
            text += "\(Int(random.next() % 1000) - 500),\(Double(random.next() % 10_000) / 100),\(quoted)\n"
        }
        let whole = profile(text, chunk: 1 << 20)
        #expect(whole.rows == 400)
        #expect(profile(text, chunk: chunk) == whole)
        let jsonl = (0..<200).map { #"{"x": \#($0), "s": "v\#($0 % 7)", "o": {"k": [1, "}"]}}"# }.joined(separator: "\n")
        #expect(profile(jsonl, .jsonl, chunk: chunk) == profile(jsonl, .jsonl))
    }

    @Test func raggedRowsAreCountedAndFilledWithMissingValues() throws {
        let table = profile("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
        #expect(table.rows == 4)
        #expect(table.problems.raggedRows == 2 && table.problems.exampleLines == [3, 4])
        #expect(table.column("c")?.missing == 1 && table.column("c")?.count == 3)
    }

    @Test func emptyFilesAndHeaderOnlyFilesAreDescribedNotRefused() throws {
        let empty = profile("")
        #expect(empty.rows == 0 && empty.columns.isEmpty && empty.problems.empty)
        let header = profile("a,b\n")
        #expect(header.rows == 0 && header.columns.map(\.type) == [.empty, .empty] && !header.problems.empty)
        #expect(profile("", .jsonl).problems.empty)
    }

    @Test func invalidUTF8IsCountedAndReplaced() throws {
        var bytes = Array("name,n\n".utf8)
        bytes += [0x63, 0x61, 0xFF, 0x66, 0xE9] + Array(",1\nok,2\n".utf8)
        let table = profile(bytes)
        #expect(table.rows == 2 && table.problems.invalidUTF8Values == 1)
        #expect(table.column("name")?.top.map(\.value).contains("ca\u{FFFD}f\u{FFFD}") == true)
    }

    @Test func numericColumnsWithSomeTextKeepTheirNumbers() throws {
        var text = "mostly,half\n"
        for index in 0..<100 { text += (index < 97 ? "\(index)" : "oops\(index)") + "," + (index % 2 == 0 ? "\(index)" : "w") + "\n" }
        let table = profile(text)
        let mostly = try #require(table.column("mostly"))
        #expect(mostly.type == .integer && mostly.nonNumeric == 3 && mostly.nonNumericExamples == ["oops97", "oops98", "oops99"])
        #expect(mostly.numeric?.max == 96)
        #expect(table.column("half")?.type == .string && table.column("half")?.numeric == nil)
    }

    @Test func anUnclosedQuoteIsReported() throws {
        let table = profile("a,b\n1,\"open\n2,3\n")
        #expect(table.problems.unclosedQuote && table.rows == 1)
    }

    @Test func jsonLinesWithNestingNullsAbsentKeysAndBadLines() throws {
        let table = profile("""
            {"id": 1, "city": "Z\\u00fcrich", "tags": ["a", "b"], "score": 0.5}
            {"id": 2, "city": null, "extra": true}
            not json
            {"id": 3, "city": "Bern", "score": "n/a", "id": 99}

            {"id": 4, "city": "Bern", "score": 1.5} trailing
            """, .jsonl)
        #expect(table.rows == 3)
        #expect(table.problems.malformedRows == 2 && table.problems.exampleLines == [3, 6])
        #expect(table.columns.map(\.name) == ["id", "city", "tags", "score", "extra"])
        #expect(table.column("id")?.numeric?.max == 3, "a repeated key: the first one counts")
        #expect(table.column("city")?.top == [ValueCount(value: "Bern", count: 1), ValueCount(value: "Zürich", count: 1)])
        #expect(table.column("city")?.missing == 1)
        #expect(table.column("tags")?.top.first?.value == #"["a", "b"]"#)
        #expect(table.column("extra")?.missing == 2 && table.column("extra")?.type == .boolean)
        #expect(table.column("score")?.type == .string, "\"n/a\" is a JSON string, so text")
    }

    @Test func surrogatePairsInJSONEscapesAreOneCharacter() throws {
        let table = profile(#"{"s": "smile \ud83d\ude00"}"# + "\n" + #"{"s": "lone \ud83d"}"#, .jsonl)
        #expect(table.column("s")?.top.map(\.value).sorted() == ["lone \u{FFFD}", "smile 😀"])
    }

    @Test func tabSeparatedFiles() throws {
        let table = profile("a\tb\n1\tx y\n2\tz\n", .tsv)
        #expect(table.columns.map(\.type) == [.integer, .string] && table.rows == 2)
    }

    @Test func sketchesStayBoundedAndClose() throws {
        var text = "id,u,cat\n"
        var random = SeededGenerator(seed: 11)
        for index in 0..<20_000 { text += "\(index),\(Double(random.next() % 1_000_000) / 1_000_000),c\(index % 7)\n" }
        let table = profile(text)
        let id = try #require(table.column("id"))
        #expect(abs(Double(id.distinctEstimate) - 20_000) / 20_000 < 0.05, "HyperLogLog: \(id.distinctEstimate)")
        let uniform = try #require(table.column("u")?.numeric)
        #expect(uniform.sample.count == 1024)
        #expect(abs(uniform.quantiles[10] - 0.5) < 0.05 && abs(uniform.quantiles[2] - 0.1) < 0.05)
        #expect(table.column("cat")?.top.count == 7 && table.column("cat")?.top.first?.count == 2858)
        #expect(profile(text) == table, "the same content gives the same profile")
    }

    @Test func numbersParseExactlyAsSwiftDoes() throws {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<20_000 {
            let digits = String(random.next() % 10_000_000_000_000_000)
            let point = Int(random.next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if random.next() % 3 == 0 { text += "e\(Int(random.next() % 40) - 20)" }
            if random.next() % 2 == 0 { text = "-" + text }
            let parsed = Array(text.utf8).withUnsafeBytes { NumberParsing.parse($0) }
            guard case .number(let value)? = parsed else {
                Issue.record("\(text) did not parse")
                continue
            }
            #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
        }
        for bad in ["", "-", ".", "1e", "1.2.3", "0x10", "inf", "1,5", "12abc"] {
            #expect(Array(bad.utf8).withUnsafeBytes { NumberParsing.parse($0) } == nil, "\(bad)")
        }
        #expect(Array(" 42 ".utf8).withUnsafeBytes { NumberParsing.parse($0) }.map { if case .integer(42) = $0 { true } else { false } } == true)
    }
}
