@testable import CustodyCore
import Testing

/// A structured-mode event with `data`.
func structuredEvent(type: String, subject: String = "postgres://db1:5432/shop.public.orders", data: String,
                     id: String = "evt-1", time: String = "2026-11-29T08:00:00Z") -> [UInt8] {
    Array(#"{"specversion":"1.0","id":"\#(id)","source":"//test","type":"data.lifecycle.\#(type)","time":"\#(time)","subject":"\#(subject)","data":\#(data)}"#.utf8)
}

let structuredHeaders: @Sendable (String) -> [UInt8]? = { $0 == "content-type" ? Array("application/cloudevents+json".utf8) : nil }

func decode(_ value: [UInt8]?, headers: (String) -> [UInt8]? = structuredHeaders) -> Result<LifecycleEvent, EventError> {
    Result { () throws(EventError) in try EventDecoder().decode(value: value, header: headers) }
}

func errorCode(_ value: [UInt8]?, headers: (String) -> [UInt8]? = structuredHeaders) -> String? {
    if case let .failure(error) = decode(value, headers: headers) { return error.code.rawValue }
    return nil
}

@Suite struct EventDecoderTests {
    /// The fast path names the types a second time; every type must be read by it, and
    /// nothing else (a near miss of each name is refused).
    @Test func theFastPathKnowsEveryLifecycleTypeAndNoOther() {
        func read(_ text: String) -> LifecycleEventType? {
            Array(text.utf8).withUnsafeBufferPointer { StructuredFastPath.eventType($0) }
        }
        for type in LifecycleEventType.allCases {
            #expect(read(type.rawValue) == type)
            #expect(read(String(type.rawValue.dropLast())) == nil)
            #expect(read(type.rawValue + "s") == nil)
            #expect(read(type.rawValue.uppercased()) == nil)
        }
        #expect(read("data.lifecycle.") == nil)
    }

    @Test func everyLifecycleTypeDecodes() throws {
        let cases: [(String, String, EventData)] = [
            ("created", #"{"classification":["pii"],"owner":"team-a","category":"customer","jurisdiction":"EU","location":"s3://x","origin":"crm"}"#,
             .created(.init(classification: ["pii"], owner: "team-a", category: "customer", jurisdiction: "EU", location: "s3://x", origin: "crm"))),
            ("derived", #"{"inputs":["s3://lake/raw/a","s3://lake/raw/b"],"job":{"namespace":"spark://etl","name":"join"},"runId":"0190a5d3-7c0e-7f3a-9b1e-0123456789ab","masked":["s3://lake/raw/b"]}"#,
             .derived(.init(inputs: [EntityID("s3://lake/raw/a")!, EntityID("s3://lake/raw/b")!], jobNamespace: "spark://etl",
                            jobName: "join", runId: "0190a5d3-7c0e-7f3a-9b1e-0123456789ab", masked: [EntityID("s3://lake/raw/b")!]))),
            ("classified", #"{"classification":["financial","pii"]}"#, .classified(classification: ["financial", "pii"])),
            ("owner_changed", #"{"owner":"team-b"}"#, .ownerChanged(owner: "team-b")),
            ("moved", #"{"location":"s3://archive/1"}"#, .moved(location: "s3://archive/1")),
            ("accessed", #"{"principal":{"id":"ana","roles":["analyst"],"attributes":{"team":"bi"}},"purpose":"analytics","fields":["email"],"records":20}"#,
             .accessed(.init(principalId: "ana", roles: ["analyst"], attributes: JSONObject(["team": "bi"]), purpose: "analytics",
                             fields: ["email"], records: 20))),
            ("hold_placed", #"{"holdId":"h1","reason":"litigation","by":"legal"}"#, .holdPlaced(holdId: "h1", reason: "litigation", by: "legal")),
            ("hold_released", #"{"holdId":"h1","by":"legal"}"#, .holdReleased(holdId: "h1", by: "legal")),
            ("deleted", #"{"method":"crypto-shred","by":"store-1","contentDigest":"sha256:\#(String(repeating: "ab", count: 32))"}"#,
             .deleted(.init(method: .cryptoShred, by: "store-1", contentDigest: "sha256:" + String(repeating: "ab", count: 32)))),
        ]
        for (type, data, expected) in cases {
            let event = try decode(structuredEvent(type: type, data: data)).get()
            #expect(event.data == expected, "\(type)")
            #expect(event.type.rawValue == "data.lifecycle.\(type)")
            #expect(event.subject.value == "postgres://db1:5432/shop.public.orders")
            #expect(event.time.rfc3339 == "2026-11-29T08:00:00Z")
        }
    }

    @Test func binaryModeReadsAttributesFromHeaders() throws {
        let headers: [String: String] = [
            "content-type": "application/json", "ce_specversion": "1.0", "ce_id": "b-1", "ce_source": "//bin",
            "ce_type": "data.lifecycle.owner_changed", "ce_time": "2026-11-29T08:00:00+01:00",
            "ce_subject": "s3://lake/raw/orders", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ]
        let event = try decode(Array(#"{"owner":"team-z"}"#.utf8), headers: { headers[$0].map { Array($0.utf8) } }).get()
        #expect(event.id == "b-1")
        #expect(event.data == .ownerChanged(owner: "team-z"))
        #expect(event.time.rfc3339 == "2026-11-29T07:00:00Z")
        #expect(event.subject.namespace == "s3://lake")
        #expect(event.subject.name == "raw/orders")
        #expect(event.traceparent == headers["traceparent"])
        let missing = headers.filter { $0.key != "ce_id" }
        #expect(errorCode(Array("{}".utf8), headers: { missing[$0].map { Array($0.utf8) } }) == "MISSING_ATTRIBUTE")
    }

    /// Ids hash once, when made: an id decoded from an event and one made from a string are
    /// the same key in a table, and ids that share a long prefix stay apart.
    @Test func entityIdsFromEventsAndStringsAreTheSameKeys() throws {
        let decoded = try decode(structuredEvent(type: "moved", data: #"{"location":"s3://b"}"#)).get().subject
        let made = try #require(EntityID(decoded.value))
        #expect(decoded == made && decoded.hashValue == made.hashValue)
        var table: [EntityID: Int] = [made: 1]
        table[decoded, default: 0] += 1
        #expect(table == [made: 2])
        let prefix = "postgres://db4:5432/shop.public.t"
        let ids = (0..<2_000).compactMap { EntityID("\(prefix)\($0)") }
        let set = Set(ids)
        #expect(set.count == 2_000)
        #expect(ids.allSatisfy { set.contains(EntityID($0.value)!) })
        #expect(EntityID("\(prefix)1")! != EntityID("\(prefix)10")!)
    }

    @Test func invalidEventsAreRejectedWithStableCodes() {
        let valid = #"{"owner":"o"}"#
        #expect(errorCode(nil) == "EMPTY_RECORD")
        #expect(errorCode([]) == "EMPTY_RECORD")
        #expect(errorCode(Array("{not json".utf8)) == "MALFORMED_JSON")
        #expect(errorCode([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) == "INVALID_UTF8")
        #expect(errorCode(Array("[1,2]".utf8)) == "NOT_AN_OBJECT")
        #expect(errorCode(Array(#"{"specversion":"1.0","id":"x","source":"s","type":"data.lifecycle.moved","subject":"s3://a/b","data":{}}"#.utf8)) == "MISSING_ATTRIBUTE")
        #expect(errorCode(structuredEvent(type: "exploded", data: valid)) == "UNKNOWN_TYPE")
        #expect(errorCode(structuredEvent(type: "owner_changed", subject: "orders", data: valid)) == "INVALID_ENTITY_ID")
        #expect(errorCode(structuredEvent(type: "owner_changed", subject: "s3://lake", data: valid)) == "INVALID_ENTITY_ID")
        #expect(errorCode(structuredEvent(type: "owner_changed", data: valid, time: "yesterday")) == "INVALID_TIME")
        #expect(errorCode(structuredEvent(type: "owner_changed", data: "{}")) == "MISSING_FIELD")
        #expect(errorCode(structuredEvent(type: "owner_changed", data: #"{"owner":5}"#)) == "WRONG_FIELD_TYPE")
        #expect(errorCode(structuredEvent(type: "created", data: #"{"classification":"pii","owner":"o","category":"c"}"#)) == "WRONG_FIELD_TYPE")
        #expect(errorCode(structuredEvent(type: "deleted", data: #"{"method":"burned","by":"x"}"#)) == "INVALID_FIELD_VALUE")
        #expect(errorCode(structuredEvent(type: "deleted", data: #"{"method":"hard","by":"x","contentDigest":"md5:1"}"#)) == "INVALID_FIELD_VALUE")
        #expect(errorCode(structuredEvent(type: "derived", data: #"{"inputs":["nope"],"job":{"namespace":"n","name":"j"}}"#)) == "INVALID_ENTITY_ID")
        #expect(errorCode(structuredEvent(type: "derived", data: #"{"inputs":["s3://a/b"],"job":{"namespace":"n","name":"j"},"runId":"r"}"#)) == "INVALID_FIELD_VALUE")
        #expect(errorCode(structuredEvent(type: "accessed", data: #"{"principal":{"id":"p"},"purpose":"x","records":1.5}"#)) == "WRONG_FIELD_TYPE")
        #expect(errorCode(Array(#"{"specversion":"0.3","id":"x","source":"s","type":"data.lifecycle.moved","time":"2026-11-29T08:00:00Z","subject":"s3://a/b","data":{"location":"l"}}"#.utf8)) == "UNSUPPORTED_SPECVERSION")
        let big = [UInt8](repeating: 0x20, count: (1 << 20) + 1)
        #expect(errorCode(big) == "OVERSIZE_RECORD")
    }

    /// 100,000 mutations of valid events: each is decoded or rejected with a code, none crashes.
    @Test func mutatedEventsAreDecodedOrRejectedNeverCrash() {
        var generator = SplitMix64(seed: 0xC0FFEE)
        let shapes: [(String, String)] = [
            ("created", #"{"classification":["pii"],"owner":"team-a","category":"customer"}"#),
            ("derived", #"{"inputs":["s3://lake/raw/a"],"job":{"namespace":"spark://etl","name":"j"},"masked":[]}"#),
            ("accessed", #"{"principal":{"id":"ana","roles":["analyst"]},"purpose":"analytics","fields":["email"],"records":20}"#),
            ("deleted", #"{"method":"hard","by":"store-1"}"#),
            ("hold_placed", #"{"holdId":"h1","reason":"\u00e9\ud83d\ude00"}"#),
            // Every type and optional member, so the typed `data` fast path meets each shape.
            ("created", #"{"classification":[],"owner":"o","category":"c","jurisdiction":null,"location":"","origin":"eu-1"}"#),
            ("derived", #"{"inputs":["s3://lake/raw/a","s3://lake/raw/b"],"job":{"namespace":"n","name":"j"},"runId":"0192f3a4-5b6c-7d8e-9f01-23456789abcd","masked":["s3://lake/raw/b"]}"#),
            ("classified", #"{"classification":["pii","financial"]}"#),
            ("owner_changed", #"{"owner":"team-b"}"#),
            ("moved", #"{"location":"s3://eu"}"#),
            ("accessed", #"{"principal":{"id":"p","roles":[]},"purpose":"support","records":0}"#),
            ("hold_released", #"{"holdId":"h1","by":null}"#),
            ("deleted", #"{"method":"crypto-shred","by":"kms","contentDigest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}"#),
        ]
        let seeds = shapes.map { structuredEvent(type: $0.0, data: $0.1) }
        // The comparison below means something only if the typed fast path takes the valid
        // shapes (escapes are left to the generic path on purpose).
        for (type, data) in shapes where !data.contains("\\u") {
            let typed = Array(data.utf8).withUnsafeBufferPointer { buffer in
                var reader = JSONReader(buffer)
                var cache = DecodingCache.disabled
                return DataFastPath.decode(&reader, type: LifecycleEventType(rawValue: "data.lifecycle.\(type)")!, cache: &cache)
            }
            #expect(typed != nil, "the data fast path refuses \(type) \(data)")
        }
        let interesting: [UInt8] = Array(#"{}[]",:\0123456789eE+-.tfnu"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xF0, 0xFF]
        var decoded = 0
        var codes: [String: Int] = [:]
        // One cache for all of them: a value kept from one event must never change another's result.
        var cache = DecodingCache()
        for iteration in 0..<100_000 {
            var bytes = seeds[iteration % seeds.count]
            let mutations = 1 + Int(generator.next() % 4)
            for _ in 0..<mutations {
                let position = Int(generator.next() % UInt64(max(bytes.count, 1)))
                switch generator.next() % 5 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes[position] = interesting[Int(generator.next() % UInt64(interesting.count))]
                case 2: bytes.remove(at: position)
                case 3: bytes.insert(interesting[Int(generator.next() % UInt64(interesting.count))], at: position)
                default:
                    let length = Int(generator.next() % 16)
                    let end = min(bytes.count, position + length)
                    bytes.insert(contentsOf: Array(bytes[position..<end]), at: position)
                }
                if bytes.isEmpty { break }
            }
            let reference = Result { () throws(EventError) in
                try EventDecoder(usesFastPath: false).decode(value: bytes, header: structuredHeaders)
            }
            let result = decode(bytes)
            #expect(result == reference, "the fast path and the reference path disagree on \(String(decoding: bytes, as: UTF8.self))")
            let cached = Result { () throws(EventError) in
                try EventDecoder().decode(value: bytes, header: structuredHeaders, cache: &cache)
            }
            #expect(cached == reference, "decoding with the cache disagrees on \(String(decoding: bytes, as: UTF8.self))")
            switch result {
            case .success: decoded += 1
            case let .failure(error):
                #expect(!error.message.isEmpty)
                codes[error.code.rawValue, default: 0] += 1
            }
        }
        #expect(decoded + codes.values.reduce(0, +) == 100_000)
        #expect(decoded > 0, "some mutations stay valid")
        #expect(codes.count >= 6, "mutations reach many error codes: \(codes)")
        #expect(cache.hits > 10_000, "the mutated events share their sources and lists: \(cache.hits) hits")
    }

    /// Sources and classification lists seen before are shared, not made again; more distinct
    /// lists than the cache keeps, lists that start alike, whitespace and escapes all decode
    /// as without the cache.
    @Test func recurringSourcesAndClassificationsAreShared() throws {
        func event(_ type: String, source: String, data: String, id: String) -> [UInt8] {
            Array(#"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"data.lifecycle.\#(type)","time":"2026-11-29T08:00:00Z","subject":"s3://lake/raw/a","data":\#(data)}"#.utf8)
        }
        func classification(_ event: LifecycleEvent) -> [String]? {
            switch event.data {
            case let .classified(list): list
            case let .created(created): created.classification
            default: nil
            }
        }
        func storage(_ list: [String]?) -> UnsafePointer<String>? { list?.withUnsafeBufferPointer { $0.baseAddress } }
        func storage(_ text: String) -> UnsafePointer<UInt8>? { text.utf8.withContiguousStorageIfAvailable { $0.baseAddress } ?? nil }
        let source = "//producers/a-source-longer-than-fifteen-bytes"
        let lists = [#"["pii"]"#, #"["pii","financial"]"#, #"[ "pii" ]"#, #"["internal"]"#, #"["public"]"#,
                     #"["confidential"]"#, #"["a"]"#, #"["b"]"#, #"["c"]"#, #"["d"]"#, #"["pii\u0020x"]"#, "[]"]
        var values: [[UInt8]] = []
        for round in 0..<3 {
            for (index, list) in lists.enumerated() {
                values.append(event("classified", source: source, data: #"{"classification":\#(list)}"#, id: "e-\(round)-\(index)"))
                values.append(event("created", source: source, data: #"{"owner":"o","classification":\#(list),"category":"c"}"#,
                                    id: "f-\(round)-\(index)"))
            }
        }
        values.append(event("classified", source: #"\/\/escaped"#, data: #"{"classification":["pii"]}"#, id: "g"))
        var cache = DecodingCache()
        var decoded: [LifecycleEvent] = []
        for value in values {
            let plain = try EventDecoder().decode(value: value, header: structuredHeaders)
            let shared = try EventDecoder().decode(value: value, header: structuredHeaders, cache: &cache)
            #expect(shared == plain)
            decoded.append(shared)
        }
        #expect(decoded.last?.source == "//escaped", "an escaped source is unescaped, as without the cache")
        #expect(cache.misses > 0)
        // The `created` event right after a `classified` one with the same list shares it.
        for index in stride(from: 0, to: lists.count * 2, by: 2) where !lists[index / 2].contains("\\") {
            #expect(classification(decoded[index]) != nil)
            #expect(storage(classification(decoded[index])) == storage(classification(decoded[index + 1])),
                    "\(lists[index / 2]) is read once")
        }
        #expect(storage(decoded[0].source) != nil)
        #expect(decoded.dropLast().allSatisfy { storage($0.source) == storage(decoded[0].source) },
                "one string for every event of one source")
    }

    /// An access's roles and fields recur as classifications do, and are kept apart from them
    /// and from each other: a list of one kind is never handed out as another's, and lists
    /// that start alike stay distinct.
    @Test func recurringRolesAndFieldsAreShared() throws {
        func access(roles: String, fields: String, id: String) -> [UInt8] {
            Array(#"{"specversion":"1.0","id":"\#(id)","source":"//s","type":"data.lifecycle.accessed","time":"2026-11-29T08:00:00Z","subject":"s3://lake/raw/a","data":{"principal":{"id":"u1","roles":\#(roles)},"purpose":"support","fields":\#(fields)}}"#.utf8)
        }
        func storage(_ list: [String]) -> UnsafePointer<String>? { list.withUnsafeBufferPointer { $0.baseAddress } }
        let shapes = [(#"["admin"]"#, #"["email"]"#), (#"["admin","support"]"#, #"["email","phone"]"#),
                      (#"["email"]"#, #"["admin"]"#), (#"["admin"]"#, #"["email"]"#)]
        var cache = DecodingCache()
        var decoded: [EventData.Accessed] = []
        for (index, shape) in shapes.enumerated() {
            let value = access(roles: shape.0, fields: shape.1, id: "e\(index)")
            let plain = try EventDecoder().decode(value: value, header: structuredHeaders)
            let shared = try EventDecoder().decode(value: value, header: structuredHeaders, cache: &cache)
            #expect(shared == plain)
            guard case let .accessed(accessed) = shared.data else { Issue.record("not an access"); return }
            decoded.append(accessed)
        }
        #expect(decoded.map(\.roles) == [["admin"], ["admin", "support"], ["email"], ["admin"]])
        #expect(decoded.map(\.fields) == [["email"], ["email", "phone"], ["admin"], ["email"]])
        #expect(storage(decoded[3].roles) == storage(decoded[0].roles), "roles seen before are shared")
        #expect(storage(decoded[3].fields) == storage(decoded[0].fields), "fields seen before are shared")
        #expect(storage(decoded[2].roles) != storage(decoded[0].fields), "a fields list is not handed out as roles")
        #expect(storage(decoded[1].roles) != storage(decoded[0].roles))
    }

    /// A subject written with escapes (`\/` for `/`) is the same entity as one written plainly;
    /// the fast path leaves it to the generic one, which reads the escapes.
    @Test func escapedSubjectsAreTheSameEntities() throws {
        let plain = structuredEvent(type: "moved", subject: "postgres://db1:5432/shop.public.orders", data: #"{"location":"s3://a"}"#)
        let escaped = structuredEvent(type: "moved", subject: #"postgres:\/\/db1:5432\/shop.public.orders"#, data: #"{"location":"s3://a"}"#)
        var cache = DecodingCache()
        let fromPlain = try EventDecoder().decode(value: plain, header: structuredHeaders, cache: &cache)
        let fromEscaped = try EventDecoder().decode(value: escaped, header: structuredHeaders, cache: &cache)
        #expect(fromEscaped == fromPlain)
        #expect(fromEscaped.subject.hashValue == fromPlain.subject.hashValue)
        #expect(errorCode(structuredEvent(type: "moved", subject: #"postgres:\/\/db1:5432\/a b"#, data: #"{"location":"s3://a"}"#))
                == EventError.Code.invalidEntityID.rawValue)
    }

    /// A deletion's digest is `sha256:` and 64 hex digits, a run id a UUID: checked on the bytes.
    @Test func digestsAndRunIdsAreCheckedOnTheirBytes() {
        let hex = String(repeating: "a0", count: 32)
        #expect(isSHA256Digest("sha256:" + hex) && isSHA256Digest("sha256:" + hex.uppercased()))
        let short = String(hex.dropLast()), withoutFirst = String(hex.dropFirst(2))
        let bads: [String] = ["sha256:" + short, "sha256:" + hex + "0", "SHA256:" + hex, "sha256:" + short + "g", "sha512:" + hex,
                              "sha256:\u{301}" + withoutFirst, "sha256:" + short + "é", ""]
        for bad in bads {
            #expect(!isSHA256Digest(bad), "\(bad)")
        }
        #expect(isUUID("123e4567-e89b-12d3-a456-426614174000") && isUUID("123E4567-E89B-12D3-A456-426614174000"))
        for bad in ["123e4567e89b-12d3-a456-4266141740000", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
                    "123e4567-e89b-12d3-a456-42661417400g", "123e4567-e89b-12d3-a456_426614174000", "123e4567-e89b-12d3-a456-42661417400é", ""] {
            #expect(!isUUID(bad), "\(bad)")
        }
    }

    /// The cache's fingerprints, which start from a kept source's lanes, are the fingerprints
    /// of the whole key: for kept sources, sources never seen, and sources replaced when more
    /// than `capacity` of them came by.
    @Test func fingerprintsFromKeptSourcesAreTheWholeKeysFingerprints() {
        var cache = DecodingCache()
        let sources = (0..<(DecodingCache.capacity + 3)).map { "//producer/\($0)" } + ["//s", "", "//ü"]
        for round in 0..<2 {
            for source in sources {
                let kept = Array(source.utf8).withUnsafeBufferPointer { cache.source($0) }
                for id in ["e1", "evt-\(round)", "", String(repeating: "i", count: 40)] {
                    let expected = EventFingerprint(source: source, id: id)
                    #expect(cache.fingerprint(source: kept, id: id) == expected, "\(source) \(id)")
                    #expect(cache.fingerprint(source: "//never-seen" + source, id: id)
                            == EventFingerprint(source: "//never-seen" + source, id: id))
                    #expect(DecodingCache.disabled.fingerprint(source: source, id: id) == expected)
                }
            }
        }
    }

    /// The cache converts a date once and reuses it for the times that share it: every time,
    /// valid or not, reads as the uncached parse reads it, whatever date came before.
    @Test func timesSharingADateReadAsUncachedOnes() {
        let times = ["2026-11-29T08:00:00Z", "2026-11-29T23:59:59.999Z", "2026-11-29T08:00:00+01:00", "2026-11-29T24:00:00Z",
                     "2026-11-29x08:00:00Z", "2026-11-29T08:00:00", "2026-11-30T00:00:00Z", "2026-11-29T00:00:00Z",
                     "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2026-11-29T08:00:00Z",
                     "2026-13-01T00:00:00Z", "2026-11-29T08:00:00.Z", "2026-11-29T08:00:00Zjunk", "1970-01-01T00:00:00Z"]
        var cache = DecodingCache(), disabled = DecodingCache.disabled
        for time in times {
            let bytes = Array(time.utf8)
            let uncached = bytes.withUnsafeBufferPointer(Timestamp.parse)
            #expect(bytes.withUnsafeBufferPointer { cache.time($0) } == uncached, "\(time)")
            #expect(bytes.withUnsafeBufferPointer { disabled.time($0) } == uncached, "\(time)")
        }
        #expect(cache.hits >= 6, "the times of one date share its conversion")
        #expect(Timestamp(rfc3339: "2026-11-29T23:59:59.999Z")?.millisecondsSinceEpoch == 1_795_996_799_999)
    }
}

/// A small deterministic generator for reproducible mutation tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
