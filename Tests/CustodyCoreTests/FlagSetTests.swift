import CustodyCore
import Foundation
import Testing

/// Flag-set validation against flagd-schemas' own test files, and load errors a person can act on.
@Suite struct FlagSetTests {
    @Test func flagdSchemaTestFilesLoadOrAreRefusedAsLabelled() throws {
        let root = try sharedSpecs().appendingPathComponent("flagd/flagd-schemas/json/test/flags")
        var checked = 0
        for label in ["positive", "negative"] {
            let folder = root.appendingPathComponent(label)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".json") {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                // Custody reads flags.json (flags as a map); flagd.json's array form is flagd's own.
                guard text.contains("\"../../../flags.json\"") else { continue }
                checked += 1
                do {
                    _ = try FlagSet.load(text: text, file: name)
                    #expect(label == "positive", "\(name) should be refused")
                } catch {
                    #expect(label == "negative", "\(name) should load: \(error)")
                    #expect(error.problems.allSatisfy { $0.file == name && !$0.fix.isEmpty })
                }
            }
        }
        #expect(checked == 16)
    }

    @Test func problemsNameTheFileTheFlagTheFieldAndTheFix() throws {
        let text = """
            {"flags": {"policy.retention": {"state": "ON", "variants": {"v4": {"version": 4, "mode": "enforce"}},
              "defaultVariant": "v5", "targeting": {"fractionl": [["v4", 1]]}}}}
            """
        do {
            _ = try FlagSet.load(text: text, file: "flags/rollout.json")
            Issue.record("a broken flag set was accepted")
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines.contains { $0.contains("flags/rollout.json") && $0.contains("flags[\"policy.retention\"].state: must be ENABLED or DISABLED") })
            #expect(lines.contains { $0.contains("flags[\"policy.retention\"].defaultVariant: 'v5' is not one of the variants (v4)") })
            #expect(lines.contains { $0.contains("flags[\"policy.retention\"].targeting: unknown operator 'fractionl'") })
        }
    }

    @Test func refsAreResolvedAndJsonLogicFollowsJavaScript() throws {
        let set = try FlagSet.load(text: """
            {"$evaluators": {"eu": {"in": [{"var": "jurisdiction"}, ["EU", "EEA"]]}},
             "flags": {"f": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "b",
                             "targeting": {"if": [{"and": [{"$ref": "eu"}, {"<": [1, {"var": "n"}, 10]}]}, "a", null]}}}}
            """, file: "f.json")
        let evaluator = FlagEvaluator(flags: set)
        #expect(evaluator.resolve("f", context: JSONObject(["jurisdiction": "EU", "n": 5])).variant == "a")
        #expect(evaluator.resolve("f", context: JSONObject(["jurisdiction": "EU", "n": 10])).reason == .defaultValue)
        #expect(evaluator.resolve("f", context: JSONObject(["jurisdiction": "US", "n": 5])).variant == "b")
        let logic = JsonLogic(flagKey: "k")
        #expect(try logic.evaluate(["==": [1, "1"]], data: .null) == .bool(true))
        #expect(try logic.evaluate(["===": [1, "1"]], data: .null) == .bool(false))
        #expect(try logic.evaluate(["cat": ["v", 1.5, true, .null]], data: .null) == "v1.5truenull")
        #expect(try logic.evaluate(["or": [0, "", "x"]], data: .null) == "x")
        #expect(try logic.evaluate(["!": [[]]], data: .null) == .bool(true))
        #expect(try logic.evaluate(["var": ["a.b.1", "none"]], data: ["a": ["b": [10, 20]]]) == 20)
        #expect(try logic.evaluate(["sem_ver": ["v1.2", ">=", "1.2.0"]], data: .null) == .bool(true))
        #expect(try logic.evaluate(["sem_ver": ["1.0.0-rc.1", "<", "1.0.0"]], data: .null) == .bool(true))
        #expect(throws: JsonLogic.Failure.self) { try logic.evaluate(["nope": [1]], data: .null) }
        // Numbers that are no position or weight do not crash the evaluator.
        #expect(try logic.evaluate(["substr": ["abcdef", "x", 1e300]], data: .null) == "abcdef")
        #expect(try logic.evaluate(["substr": ["abcdef", -2]], data: .null) == "ef")
        #expect(try logic.evaluate(["fractional": ["key", ["a", 1e300], ["b", -1e300], ["c", "NaN"]]], data: .null) == "a")
    }

    @Test func murmurHash3MatchesTheReferenceVectors() {
        // Known answers of MurmurHash3_x86_32 (the reference implementation's SMHasher values).
        #expect(MurmurHash3.x86_32([UInt8]()) == 0)
        #expect(MurmurHash3.x86_32([UInt8](), seed: 1) == 0x514E_28B7)
        #expect(MurmurHash3.x86_32(Array("hello".utf8)) == 0x248B_FA47)
        #expect(MurmurHash3.x86_32(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x2E4F_F723)
        // The flagd testbed's boundary keys (hash 0, 1, i32 max, i32 max + 1, u32 max).
        #expect(MurmurHash3.x86_32(Array("ejOoVL".utf8)) == 0)
        #expect(MurmurHash3.x86_32(Array("bY9fO-".utf8)) == 1)
        #expect(MurmurHash3.x86_32(Array("SI7p-".utf8)) == 2_147_483_647)
        #expect(MurmurHash3.x86_32(Array("6LvT0".utf8)) == 2_147_483_648)
        #expect(MurmurHash3.x86_32(Array("ceQdGm".utf8)) == 4_294_967_295)
    }
}
