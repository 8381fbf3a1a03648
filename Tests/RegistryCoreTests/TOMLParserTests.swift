import RegistryTestSupport
import Testing
@testable import TOML

@Suite struct TOMLParserTests {
    private func value(_ table: TOMLTable, _ path: String...) -> TOMLValue.Kind? {
        var current = table
        for key in path.dropLast() {
            guard case .table(let next)? = current[key]?.kind else { return nil }
            current = next
        }
        return current[path.last!]?.kind
    }

    @Test func readsEveryFormMregFilesUse() throws {
        let text = """
            # a comment
            top = "level"   # trailing comment
            [aliases.production]
            require_clean_git = true
            min = { "holdout.auc" = 0.80, 'rmse' = 3 }
            lower_is_better = [
              "log_loss",  # why
              'rmse',
            ]
            [ models . "churn/v2" . aliases.staging ]
            count = 1_000
            hex = 0xff
            octal = 0o17
            binary = 0b101
            negative = -42
            float = -3.5e-2
            infinity = -inf
            escaped = "tab\\t \\"quoted\\" \\u00e9 \\U0001F600"
            literal = 'C:\\path'
            multi = \"\"\"
            line one
            line two\"\"\"
            dotted.key = false
            raw = '''
            C:\\no\\escapes ''here'''''
            continued = \"\"\"one \\
                two\"\"\"
            """
        let table = try TOMLParser.parse(text)
        #expect(value(table, "top") == .string("level"))
        #expect(value(table, "aliases", "production", "require_clean_git") == .bool(true))
        guard case .table(let minimums)? = value(table, "aliases", "production", "min") else { throw TestFailure("min is not a table") }
        #expect(minimums["holdout.auc"]?.kind == .float(0.8))
        #expect(minimums["rmse"]?.kind == .integer(3))
        #expect(minimums["holdout.auc"]?.line == 5)
        guard case .array(let names)? = value(table, "aliases", "production", "lower_is_better") else { throw TestFailure("not an array") }
        #expect(names.map(\.kind) == [.string("log_loss"), .string("rmse")])
        #expect(names.map(\.line) == [7, 8])
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "count") == .integer(1000))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "hex") == .integer(255))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "octal") == .integer(15))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "binary") == .integer(5))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "negative") == .integer(-42))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "float") == .float(-0.035))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "infinity") == .float(-.infinity))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "escaped") == .string("tab\t \"quoted\" é 😀"))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "literal") == .string("C:\\path"))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "multi") == .string("line one\nline two"))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "dotted", "key") == .bool(false))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "raw") == .string("C:\\no\\escapes ''here''"))
        #expect(value(table, "models", "churn/v2", "aliases", "staging", "continued") == .string("one two"))
        #expect(table.keys == ["top", "aliases", "models"])
    }

    @Test(arguments: [
        ("a = 1\na = 2", 2, "defined twice"),
        ("[t]\nx = 1\n[t]", 3, "defined twice"),
        ("x = \"open", 1, "not closed"),
        ("\n\nx = yes", 3, "not a valid value"),
        ("x = 2026-03-01", 1, "dates and times"),
        ("[[servers]]", 1, "arrays of tables"),
        ("x = 1 y = 2", 1, "one key = value per line"),
        ("x = [1, 2", 1, "expected ',' or ']'"),
        ("x = { a = 1\n}", 1, "inline tables stay on one line"),
        ("x = 01", 1, "not a valid value"),
        ("x = \"bad \\q escape\"", 1, "not a TOML escape"),
        ("x = 1\nx.y = 2", 2, "already a value"),
        ("= 3", 1, "expected a key"),
        ("x = 1__0", 1, "not a valid value"),
    ])
    func malformedDocumentsNameTheLine(text: String, line: Int, problem: String) {
        #expect {
            _ = try TOMLParser.parse(text)
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            return error.line == line && error.problem.contains(problem)
        }
    }

    @Test func anEmptyDocumentIsAnEmptyTable() throws {
        #expect(try TOMLParser.parse("").isEmpty)
        #expect(try TOMLParser.parse("# only a comment\n\n").isEmpty)
    }
}
