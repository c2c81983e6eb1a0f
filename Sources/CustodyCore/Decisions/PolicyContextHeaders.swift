/// The policy-context headers of CONTRACT section 3, as (name, value) pairs in a fixed order.
public enum PolicyContextHeaders {
    /// Every header name Custody sets; producers' headers of these names are removed first.
    public static let names: Set<String> = [
        "policy-id", "policy-version", "policy-digest", "decision-id", "data-classification", "data-owner",
        "retention-class", "retention-action", "retention-expires-at", "legal-hold", "rollout-variant",
        "access-outcome", "masked-fields", "traceparent",
    ]

    /// The headers for an event under `decision`. `traceparent` is the event's when it has one,
    /// else one derived from the event key (stable across replays).
    public static func make(decision: Decision, access: AccessResult?, traceparent: String?, eventKey: String) -> [(String, String)] {
        var headers: [(String, String)] = [
            ("policy-id", decision.policy.id),
            ("policy-version", String(decision.policy.version)),
            ("policy-digest", decision.policy.digest),
            ("decision-id", decision.id),
            ("data-classification", decision.effectiveClassification.joined(separator: ",")),
            ("data-owner", decision.owner ?? ""),
            ("retention-class", decision.retention.retentionClass),
            ("retention-action", decision.retention.action.rawValue),
        ]
        if let expiresAt = decision.expiresAt { headers.append(("retention-expires-at", expiresAt.rfc3339)) }
        headers.append(("legal-hold", decision.isOnLegalHold ? "true" : "false"))
        if let rollout = decision.rollout { headers.append(("rollout-variant", rollout.variant)) }
        if let access {
            headers.append(("access-outcome", access.effect.rawValue))
            headers.append(("masked-fields", access.maskedFields.joined(separator: ",")))
        }
        headers.append(("traceparent", validTraceparent(traceparent) ?? makeTraceparent(eventKey: eventKey)))
        return headers
    }

    /// W3C trace context: `00-<32 hex>-<16 hex>-<2 hex>`, ids not all zero.
    static func validTraceparent(_ text: String?) -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy(isLowerHex) }), parts[0] != "ff",
              parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16) else { return nil }
        return text
    }

    /// A traceparent derived from the event key: the same event always gets the same trace.
    static func makeTraceparent(eventKey: String) -> String {
        var hash = FNV1a64()
        hash.combine(eventKey)
        let trace = hash.value
        hash.combine("span")
        let span = hash.value
        return "00-" + hex64(trace) + hex64(trace ^ 0x9E37_79B9_7F4A_7C15) + "-" + hex64(span | 1) + "-01"
    }

    private static func hex64(_ value: UInt64) -> String {
        Hex.encode(withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }
}

/// FNV-1a, 64-bit: a cheap stable hash for derived ids (not for security).
struct FNV1a64 {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func combine(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
}
