import Foundation
import RegistryModel
import Testing

/// Numbers keep the kind they were written with (issue 8: `C: 1.0` stays 1.0).
@Suite struct NumberKindTests {
    @Test func theParserKeepsIntegersAndFloatsApart() throws {
        let value = try JSONParser.parse(#"{"C": 1.0, "n": 3, "e": 1e3, "neg": -0.5, "big": 12345678901234, "s": "a\"\u00e9\ud83d\ude00", "l": [true, null]}"#)
        #expect(value == .object([
            "C": .number(1.0), "n": .integer(3), "e": .number(1000), "neg": .number(-0.5), "big": .integer(12_345_678_901_234),
            "s": .string("a\"é😀"), "l": .array([.bool(true), .null]),
        ]))
        for bad in ["{", "[1,]", "{\"a\" 1}", "01x", "\"\\q\"", "1 2", "+1", "nul", "\"open", "\"a\u{01}b\"", "\"ends in \\"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    /// Strings with and without escapes, escapes at either end, a lone surrogate, and bytes
    /// that are not UTF-8 (each such byte read as U+FFFD, as Swift's own decoding does).
    @Test func stringsDecodeWhateverTheirEscapes() throws {
        let cases: [(String, JSONValue)] = [
            (#""plain é text""#, .string("plain é text")), (#""""#, .string("")), (#""\n at the start""#, .string("\n at the start")),
            (#""at the end\t""#, .string("at the end\t")), (#""\"quoted\" \\ \/ \b\f\r""#, .string("\"quoted\" \\ / \u{08}\u{0C}\r")),
            (#""\u00e9\u0041\ud83d\ude00""#, .string("éA😀")), (#""lone \ud83d half""#, .string("lone \u{FFFD} half")),
            (#"{"k\"ey": "v"}"#, .object(["k\"ey": .string("v")])),
        ]
        for (text, expected) in cases {
            #expect(try JSONParser.parse(text) == expected, "\(text)")
        }
        let invalid: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0x5C, 0x6E, 0xC3, 0x22]
        #expect(try JSONParser.parse(invalid) == .string("a\u{FFFD}b\n\u{FFFD}"))
    }

    @Test func manifestV2KeepsTheKindAndV1DoesNot() throws {
        let manifest = { (format: Manifest.Format) in
            Manifest(
                model: try ModelName("m"), files: [], params: ["C": .number(1.0), "n": .integer(1)], datasets: [], metrics: [], labels: [:],
                description: nil, parent: nil, git: nil, format: format)
        }
        let v2 = String(decoding: try manifest(.v2).canonicalBytes(), as: UTF8.self)
        let v1 = String(decoding: try manifest(.v1).canonicalBytes(), as: UTF8.self)
        #expect(v2.contains(#""params":{"C":1.0,"n":1}"#) && v2.contains("manifest.v2+json"))
        #expect(v1.contains(#""params":{"C":1,"n":1}"#) && v1.contains("manifest.v1+json"), "v1 bytes stay as they were")
        #expect(try JSONParser.parse(CanonicalJSON.string(.object(["C": .number(1.0)]), numbers: .kept)) == .object(["C": .number(1.0)]))
    }
}
