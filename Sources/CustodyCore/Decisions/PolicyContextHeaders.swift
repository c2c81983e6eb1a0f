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
    public static func make(decision: Decision, access: AccessResult?, traceparent: String?, eventKey: EventKey) -> EventHeaders {
        make(decision: decision, access: access, traceparent: traceparent, source: eventKey.source, id: eventKey.id)
    }

    /// The same, the event key given as the event's `source` and `id`.
    public static func make(decision: Decision, access: AccessResult?, traceparent: String?, source: String,
                            id: String) -> EventHeaders {
        make(decision: decision, access: access, traceparent: traceparent, fingerprint: EventFingerprint(source: source, id: id))
    }

    /// The same, the event key given as its fingerprint (`EventOutcome.fingerprint`: hashed
    /// once per event, for duplicates and the trace).
    public static func make(decision: Decision, access: AccessResult?, traceparent: String?,
                            fingerprint: EventFingerprint) -> EventHeaders {
        if let given = validTraceparent(traceparent) {
            return EventHeaders(decision: decision, access: access, trace: .given(given))
        }
        return EventHeaders(decision: decision, access: access, trace: derivedTrace(fingerprint))
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

    /// A trace derived from the event key: FNV-1a over `source ‖ 0x1F ‖ id` for the trace,
    /// continued over `span` for the span. The same event always gets the same trace.
    static func derivedTrace(_ key: EventFingerprint) -> EventHeaders.Trace {
        let trace = key.keyHash
        var hash = FNV1a64(value: trace)
        hash.combine("span")
        return .derived(trace: trace, span: hash.value | 1)
    }

    /// `00-<trace>-<span>-01` for a derived trace: 55 bytes.
    static func writeTraceparent(trace: UInt64, span: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        buffer[0] = 0x30
        buffer[1] = 0x30
        buffer[2] = 0x2D
        Hex.put(trace, into: buffer, at: 3)
        Hex.put(trace ^ 0x9E37_79B9_7F4A_7C15, into: buffer, at: 19)
        buffer[35] = 0x2D
        Hex.put(span, into: buffer, at: 36)
        buffer[52] = 0x2D
        buffer[53] = 0x30
        buffer[54] = 0x31
        return 55
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }
}

/// The policy-context headers of one event: the decision's (shared, computed once per
/// decision), the access outcome, and the trace context.
public struct EventHeaders: Sendable {
    public var decision: Decision
    public var access: AccessResult?
    /// The event's own trace context, or one derived from its key (formatted when written).
    public var trace: Trace

    public enum Trace: Sendable {
        case given(String)
        case derived(trace: UInt64, span: UInt64)
    }

    public var traceparent: String {
        switch trace {
        case let .given(text): text
        case let .derived(trace, span):
            String(unsafeUninitializedCapacity: 55) { PolicyContextHeaders.writeTraceparent(trace: trace, span: span, into: $0) }
        }
    }

    /// Calls `body` with each header, in CONTRACT order.
    public func forEach(_ body: (String, String) throws -> Void) rethrows {
        try decision.forEachContextHeader(body)
        if let access {
            try body("access-outcome", access.effect.rawValue)
            try body("masked-fields", access.maskedFields.joined(separator: ","))
        }
        try body("traceparent", traceparent)
    }

    /// The same headers with their values as bytes, formatted into a stack buffer or borrowed:
    /// what the processor writes into librdkafka, without a string per value.
    public func forEachBytes(_ body: (String, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { scratch in
            try decision.forEachContextHeaderBytes(scratch: scratch, body)
            if let access {
                try withBytes(of: access.effect.rawValue) { try body("access-outcome", $0) }
                if access.maskedFields.count <= 1 {
                    try withBytes(of: access.maskedFields.first ?? "") { try body("masked-fields", $0) }
                } else {
                    try withBytes(of: access.maskedFields.joined(separator: ",")) { try body("masked-fields", $0) }
                }
            }
            switch trace {
            case let .given(text): try withBytes(of: text) { try body("traceparent", $0) }
            case let .derived(trace, span):
                let length = PolicyContextHeaders.writeTraceparent(trace: trace, span: span, into: scratch)
                try body("traceparent", UnsafeRawBufferPointer(start: scratch.baseAddress, count: length))
            }
        }
    }

    /// All headers as fields (allocates; for records and tests).
    public var fields: [HeaderField] {
        var result: [HeaderField] = []
        forEach { result.append(HeaderField($0, $1)) }
        return result
    }
}

/// FNV-1a, 64-bit: a cheap stable hash for derived ids (not for security).
struct FNV1a64 {
    var value: UInt64

    /// Continues the hash whose value so far is `value` (the offset basis, 0xCBF29CE484222325, to start one).
    init(value: UInt64) {
        self.value = value
    }

    mutating func combine(_ text: String) {
        text.withUTF8Bytes { bytes in
            for byte in bytes {
                value ^= UInt64(byte)
                value = value &* 0x0000_0100_0000_01B3
            }
        }
    }
}
