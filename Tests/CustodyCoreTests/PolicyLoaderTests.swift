import CustodyCore
import Foundation
import Testing

func examplesDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")
}

func loadExamplePolicy(_ name: String) throws -> Policy {
    let url = examplesDirectory().appendingPathComponent("policies/\(name)")
    return try PolicyLoader().load(text: String(contentsOf: url, encoding: .utf8), file: url.path).policy
}

/// Loads `text` and returns the problems (errors and warnings).
func problems(_ text: String) -> [PolicyProblem] {
    do {
        return try PolicyLoader().load(text: text, file: "broken.yaml").warnings
    } catch {
        return error.problems
    }
}

@Suite struct PolicyLoaderTests {
    @Test func theExamplePoliciesValidateWithoutWarnings() throws {
        for name in ["retention.yaml", "retention-v5.yaml"] {
            let url = examplesDirectory().appendingPathComponent("policies/\(name)")
            let loaded = try PolicyLoader().load(text: String(contentsOf: url, encoding: .utf8), file: name)
            #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
            #expect(loaded.policy.id == "retention")
        }
        let policy = try loadExamplePolicy("retention.yaml")
        #expect(policy.version == 4)
        #expect(policy.retentionRules.map(\.outcome.retentionClass) == ["personal", "financial", "aggregate", "telemetry"])
        #expect(policy.propagatedClassifications == ["pii", "financial", "confidential"])
        #expect(policy.bulkAccess == BulkAccessLimit(records: 10000, window: ISODuration("PT1M")!))
        #expect(policy.digest.hasPrefix("sha256:") && policy.digest.count == 71)
    }

    @Test func theDigestIsTheSameForYAMLAndJSONAndAnyKeyOrder() throws {
        let yaml = """
        id: p
        version: 1
        retention:
          default: {class: standard, keep: P1Y, action: delete}
        """
        let json = #"{"retention":{"default":{"action":"delete","keep":"P1Y","class":"standard"}},"version":1,"id":"p"}"#
        let fromYAML = try PolicyLoader().load(text: yaml, file: "p.yaml").policy
        let fromJSON = try PolicyLoader().load(text: json, file: "p.json").policy
        #expect(fromYAML.digest == fromJSON.digest)
        // sha256 of {"id":"p","retention":{"default":{"action":"delete","class":"standard","keep":"P1Y"}},"version":1}
        #expect(fromYAML.digest == "sha256:" + sha256Hex(#"{"id":"p","retention":{"default":{"action":"delete","class":"standard","keep":"P1Y"}},"version":1}"#))
    }

    @Test func wrongTypesBadDurationsUnknownKeysAndActionsAreRefusedWithTheirPaths() {
        let found = problems("""
        id: retention
        version: "four"
        retention:
          rules:
            - class: personal
              when: {classification: pii}
              keep: P30D
              action: delete
            - class: finance
              when: {classification: [financial]}
              keep: 7 years
              action: archive
            - class: odd
              when: {colour: [red]}
              keep: P1D
              action: shred
          default: {class: standard, keep: P1Y, action: delete}
          keeep: P1D
        access:
          rules:
            - effect: mask
              when: {roles: [analyst]}
          default: allow
        """)
        let byPath = Dictionary(grouping: found, by: \.path)
        #expect(byPath["version"]?.first?.message.contains("whole number") == true)
        #expect(byPath["retention.rules[0].when.classification"]?.first?.fix == "write [pii]")
        #expect(byPath["retention.rules[1].keep"]?.first?.message.contains("ISO 8601") == true)
        #expect(byPath["retention.rules[2].when.colour"]?.first?.message == "unknown key 'colour'")
        #expect(byPath["retention.rules[2].action"]?.first?.fix == "use one of delete, anonymize, archive, retain")
        #expect(byPath["retention.keeep"]?.first?.fix.contains("did you mean 'keep'") == false)
        #expect(byPath["retention.keeep"]?.first?.message == "unknown key 'keeep'")
        #expect(byPath["access.rules[0].fields"]?.first?.message == "is required when effect is mask")
        #expect(found.allSatisfy { $0.file == "broken.yaml" && $0.line != nil })
        #expect(byPath["retention.rules[1].keep"]?.first?.line == 11)
        let text = found.first { $0.path == "retention.rules[1].keep" }?.description ?? ""
        #expect(text.hasPrefix("broken.yaml:11: error: retention.rules[1].keep: '7 years' is not an ISO 8601 duration; fix:"))
    }

    @Test func accessKeysAreRefusedInRetentionConditions() {
        let found = problems("""
        id: p
        version: 1
        retention:
          rules:
            - {class: a, when: {roles: [analyst]}, keep: P1D, action: delete}
          default: {class: standard, keep: P1Y, action: delete}
        """)
        #expect(found.contains { $0.path == "retention.rules[0].when.roles" && $0.severity == .error })
    }

    @Test func aRuleThatAnEarlierRuleCoversIsAWarning() throws {
        let text = """
        id: p
        version: 1
        retention:
          rules:
            - {class: sensitive, when: {classification: [pii, financial]}, keep: P30D, action: delete}
            - {class: eu-personal, when: {classification: [pii], jurisdiction: [EU]}, keep: P14D, action: delete}
            - {class: telemetry, when: {category: [telemetry]}, keep: P90D, action: delete}
          default: {class: standard, keep: P1Y, action: delete}
        access:
          rules:
            - {effect: allow, when: {}}
            - {effect: deny, when: {purposes: [marketing]}}
        """
        let loaded = try PolicyLoader().load(text: text, file: "p.yaml")
        #expect(loaded.warnings.map(\.path) == ["retention.rules[1]", "access.rules[1]"])
        #expect(loaded.warnings[0].message.contains("retention.rules[0]"))
        #expect(loaded.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func notIsNotMistakenForCoverage() throws {
        let loaded = try PolicyLoader().load(text: """
        id: p
        version: 1
        retention:
          rules:
            - {class: a, when: {category: [aggregate], not: {classification: [pii]}}, keep: P1D, action: delete}
            - {class: b, when: {category: [aggregate]}, keep: P2D, action: delete}
          default: {class: standard, keep: P1Y, action: delete}
        """, file: "p.yaml")
        #expect(loaded.warnings.isEmpty)
    }

    @Test func malformedDocumentsAreRefusedNotCrashed() {
        for text in ["", "[1, 2]", "id: [", "{\"id\": 1", "id: p\nversion: 1\nretention: 5", "id: p\nid: q\n"] {
            #expect(throws: PolicyLoadError.self, "\(text)") { try PolicyLoader().load(text: text, file: "x.yaml") }
        }
    }

    @Test func theRegistryKeepsVersionsAndRefusesAChangedVersion() throws {
        var registry = PolicyRegistry()
        let v4 = try loadExamplePolicy("retention.yaml")
        let v5 = try loadExamplePolicy("retention-v5.yaml")
        try registry.add(v4)
        try registry.add(v5)
        try registry.add(v4)
        #expect(registry.versions(of: "retention") == [4, 5])
        #expect(registry.newest(id: "retention")?.version == 5)
        let changed = Policy(id: v4.id, version: v4.version, digest: "sha256:00", appliesTo: v4.appliesTo,
                             retentionRules: v4.retentionRules, retentionDefault: v4.retentionDefault,
                             propagatedClassifications: v4.propagatedClassifications, accessRules: v4.accessRules,
                             accessDefault: v4.accessDefault, bulkAccess: v4.bulkAccess, document: v4.document)
        #expect(throws: PolicyRegistry.Conflict.self) { try registry.add(changed) }
    }
}
