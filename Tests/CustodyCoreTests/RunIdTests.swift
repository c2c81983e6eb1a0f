import CustodyCore
import Testing

/// A `derived` event without a `runId` gets a name-based UUID: the first 16 bytes of
/// SHA-256 over `source` 0x1F `id`, version 8 and RFC 9562 variant bits set. Ids must stay
/// the same across versions (a replayed event names the same run); the values below were
/// computed independently with Python's hashlib.
@Suite struct RunIdTests {
    @Test func runIdsAreNameBasedVersion8UUIDs() {
        #expect(OpenLineageEvents.uuid(from: "//bench/generator\u{1F}evt-1") == "fea22eae-a08e-8964-82a6-8a995865979a")
        #expect(OpenLineageEvents.uuid(from: "") == "e3b0c442-98fc-8c14-9afb-f4c8996fb924")
    }
}
