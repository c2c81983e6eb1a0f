import CScan

/// The `data` object of a structured event read straight from the bytes into its typed
/// form, without a JSON tree in between. Like `StructuredFastPath` it accepts only what
/// `EventDataDecoder` accepts with the same result: on anything unusual (an unknown or
/// repeated member, an escape, a wrong type, an empty or invalid value) it returns nil,
/// the caller rewinds and the generic path decides and reports the error.
enum DataFastPath {
    static func decode(_ reader: inout JSONReader, type: LifecycleEventType, cache: inout DecodingCache) -> EventData? {
        switch type {
        case .created: return created(&reader, cache: &cache)
        case .derived: return derived(&reader)
        case .classified:
            var classification: [String]?
            guard members(&reader, { key, reader in
                guard classification == nil, key.is("classification") else { return false }
                classification = cache.list(.classification, &reader) { $0.readNonEmptyStrings() }
                return classification != nil
            }), let classification else { return nil }
            return .classified(classification: classification)
        case .ownerChanged:
            guard let owner = single(&reader, "owner") else { return nil }
            return .ownerChanged(owner: owner)
        case .moved:
            guard let location = single(&reader, "location") else { return nil }
            return .moved(location: location)
        case .accessed: return accessed(&reader, cache: &cache)
        case .holdPlaced, .holdReleased: return hold(&reader, type: type)
        case .deleted: return deleted(&reader)
        }
    }

    // The values read are taken out of their locals into the payload (`take()`), not bound
    // and copied: a copy retained each and the locals' end released them again (9 fewer
    // reference-count calls per `created` event).
    private static func created(_ reader: inout JSONReader, cache: inout DecodingCache) -> EventData? {
        var classification: [String]?
        var owner: String?, category: String?
        var jurisdiction: String??, location: String??, origin: String??
        guard members(&reader, { key, reader in
            if key.is("classification"), classification == nil {
                classification = cache.list(.classification, &reader) { $0.readNonEmptyStrings() }
                return classification != nil
            }
            if key.is("owner"), owner == nil { owner = reader.readNonEmptyString(); return owner != nil }
            if key.is("category"), category == nil { category = reader.readNonEmptyString(); return category != nil }
            if key.is("jurisdiction"), jurisdiction == nil { jurisdiction = reader.readOptionalString(); return jurisdiction != nil }
            if key.is("location"), location == nil { location = reader.readOptionalString(); return location != nil }
            if key.is("origin"), origin == nil { origin = reader.readOptionalString(); return origin != nil }
            return false
        }), let classification = classification.take(), let owner = owner.take(), let category = category.take()
        else { return nil }
        return .created(EventData.Created(classification: classification, owner: owner, category: category,
                                          jurisdiction: jurisdiction.take() ?? nil, location: location.take() ?? nil,
                                          origin: origin.take() ?? nil))
    }

    private static func derived(_ reader: inout JSONReader) -> EventData? {
        var inputs: [EntityID]?, masked: [EntityID]?
        var namespace: String?, name: String?
        var runId: String??
        var sawJob = false
        guard members(&reader, { key, reader in
            if key.is("inputs"), inputs == nil {
                inputs = reader.readEntities()
                return inputs.map { !$0.isEmpty } ?? false
            }
            if key.is("masked"), masked == nil { masked = reader.readEntities(); return masked != nil }
            if key.is("runId"), runId == nil {
                runId = reader.readOptionalString()
                guard let value = runId else { return false }
                return value.map(isUUID) ?? true
            }
            if key.is("job"), !sawJob {
                sawJob = true
                return members(&reader) { key, reader in
                    if key.is("namespace"), namespace == nil { namespace = reader.readNonEmptyString(); return namespace != nil }
                    if key.is("name"), name == nil { name = reader.readNonEmptyString(); return name != nil }
                    return false
                }
            }
            return false
        }), let inputs = inputs.take(), let namespace = namespace.take(), let name = name.take() else { return nil }
        return .derived(EventData.Derived(inputs: inputs, jobNamespace: namespace, jobName: name, runId: runId.take() ?? nil,
                                          masked: masked.take() ?? []))
    }

    private static func accessed(_ reader: inout JSONReader, cache: inout DecodingCache) -> EventData? {
        var principalId: String?, roles: [String]?
        var purpose: String?, fields: [String]?
        var records: Int?
        var sawPrincipal = false
        guard members(&reader, { key, reader in
            if key.is("principal"), !sawPrincipal {
                sawPrincipal = true
                return members(&reader) { key, reader in
                    if key.is("id"), principalId == nil { principalId = reader.readNonEmptyString(); return principalId != nil }
                    if key.is("roles"), roles == nil {
                        roles = cache.list(.roles, &reader) { $0.readNonEmptyStrings() }
                        return roles != nil
                    }
                    return false
                }
            }
            if key.is("purpose"), purpose == nil { purpose = reader.readNonEmptyString(); return purpose != nil }
            if key.is("fields"), fields == nil {
                fields = cache.list(.fields, &reader) { $0.readNonEmptyStrings() }
                return fields != nil
            }
            if key.is("records"), records == nil { records = reader.readCount(); return records != nil }
            return false
        }), let principalId = principalId.take(), let purpose = purpose.take() else { return nil }
        return .accessed(EventData.Accessed(principalId: principalId, roles: roles.take() ?? [], purpose: purpose,
                                            fields: fields.take() ?? [], records: records ?? 1))
    }

    private static func hold(_ reader: inout JSONReader, type: LifecycleEventType) -> EventData? {
        var holdId: String?
        var reason: String??, by: String??
        guard members(&reader, { key, reader in
            if key.is("holdId"), holdId == nil { holdId = reader.readNonEmptyString(); return holdId != nil }
            if key.is("reason"), reason == nil, type == .holdPlaced { reason = reader.readOptionalString(); return reason != nil }
            if key.is("by"), by == nil { by = reader.readOptionalString(); return by != nil }
            return false
        }), let holdId = holdId.take() else { return nil }
        return type == .holdPlaced ? .holdPlaced(holdId: holdId, reason: reason.take() ?? nil, by: by.take() ?? nil)
            : .holdReleased(holdId: holdId, by: by.take() ?? nil)
    }

    private static func deleted(_ reader: inout JSONReader) -> EventData? {
        var method: EventData.DeletionMethod?, by: String?
        var digest: String??
        guard members(&reader, { key, reader in
            if key.is("method"), method == nil {
                method = reader.readNonEmptyString().flatMap(EventData.DeletionMethod.init(rawValue:))
                return method != nil
            }
            if key.is("by"), by == nil { by = reader.readNonEmptyString(); return by != nil }
            if key.is("contentDigest"), digest == nil {
                digest = reader.readOptionalString()
                guard let value = digest else { return false }
                return value.map(isSHA256Digest) ?? true
            }
            return false
        }), let method, let by = by.take() else { return nil }
        return .deleted(EventData.Deleted(method: method, by: by, contentDigest: digest.take() ?? nil))
    }

    /// An object with exactly one member, `name`, a non-empty string.
    private static func single(_ reader: inout JSONReader, _ name: StaticString) -> String? {
        var value: String?
        guard members(&reader, { key, reader in
            guard value == nil, key.is(name) else { return false }
            value = reader.readNonEmptyString()
            return value != nil
        }) else { return nil }
        return value
    }

    /// Reads an object, calling `member` with each name and the reader at its value; false
    /// from `member`, or anything but a well-formed object, gives false.
    static func members(_ reader: inout JSONReader,
                        _ member: (UnsafeBufferPointer<UInt8>, inout JSONReader) -> Bool) -> Bool {
        guard reader.peek() == UInt8(ascii: "{") else { return false }
        reader.position += 1
        reader.skipWhitespace()
        if reader.peek() == UInt8(ascii: "}") {
            reader.position += 1
            return true
        }
        while true {
            reader.skipWhitespace()
            guard let key = reader.readRawString() else { return false }
            reader.skipWhitespace()
            guard reader.peek() == UInt8(ascii: ":") else { return false }
            reader.position += 1
            reader.skipWhitespace()
            guard member(key, &reader) else { return false }
            reader.skipWhitespace()
            guard let next = reader.peek() else { return false }
            reader.position += 1
            if next == UInt8(ascii: "}") { return true }
            guard next == UInt8(ascii: ",") else { return false }
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// True when the bytes are `name`'s (compared eight at a time: member names and event
    /// types are compared on every event).
    @inline(__always)
    func `is`(_ name: StaticString) -> Bool {
        guard count == name.utf8CodeUnitCount else { return false }
        return hasSameBytes(as: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}

extension JSONReader {
    /// A string's raw bytes when it has no escapes and is printable ASCII; nil otherwise
    /// (position unchanged then only when it did not start with a quote).
    mutating func readRawString() -> UnsafeBufferPointer<UInt8>? {
        guard peek() == UInt8(ascii: "\""), let base = bytes.baseAddress else { return nil }
        let start = position + 1
        var index = start
        // Sixteen bytes at a time while sixteen remain: the first special byte (a quote, a
        // backslash, a control character or a non-ASCII byte) ends the scan, a quote as the
        // string's end, any other as a string this reader does not take raw.
        while index + 16 <= bytes.count {
            let stops = custody_string_stops16(base + index)
            if stops != 0 {
                let end = index + stops.trailingZeroBitCount
                guard base[end] == UInt8(ascii: "\"") else { return nil }
                position = end + 1
                return UnsafeBufferPointer(start: base + start, count: end - start)
            }
            index += 16
        }
        // The last bytes: eight at a time, then one by one from the first special one.
        while index + 8 <= bytes.count {
            let special = Self.specialBytes(UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)))
            if special != 0 {
                index += special.trailingZeroBitCount / 8
                break
            }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return UnsafeBufferPointer(rebasing: bytes[start..<index])
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// Moves past `literal` when the bytes ahead are exactly its bytes; false (and the
    /// position unchanged) otherwise.
    @inline(__always)
    mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard count <= bytes.count - position, let base = bytes.baseAddress,
              UnsafeBufferPointer(start: base + position, count: count).is(literal) else { return false }
        position += count
        return true
    }

    /// A non-empty string, escapes and any valid UTF-8 allowed: raw bytes when it can.
    mutating func readNonEmptyText() -> String? {
        if let raw = readRawString() { return raw.isEmpty ? nil : string(raw) }
        guard peek() == UInt8(ascii: "\""), let text = try? readString(), !text.isEmpty else { return nil }
        return text
    }

    /// A word (little-endian bytes) with the high bit set in the lowest byte that is a quote,
    /// a backslash, below 0x20 or above 0x7F; bits above that byte may be set spuriously.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control | (word & highs)
    }

    mutating func readNonEmptyString() -> String? {
        guard let raw = readRawString(), !raw.isEmpty else { return nil }
        return string(raw)
    }

    /// `.some(nil)` for null, `.some(text)` for a string (empty allowed), nil otherwise.
    mutating func readOptionalString() -> String?? {
        if peek() == UInt8(ascii: "n") {
            guard (try? readLiteral("null")) != nil else { return nil }
            return .some(nil)
        }
        guard let raw = readRawString() else { return nil }
        return .some(string(raw))
    }

    /// An array of non-empty strings.
    mutating func readNonEmptyStrings() -> [String]? {
        var result: [String] = []
        guard elements({ reader in
            guard let text = reader.readNonEmptyString() else { return false }
            if result.isEmpty { result.reserveCapacity(Self.listCapacity) }
            result.append(text)
            return true
        }) else { return nil }
        return result
    }

    /// Room made for a list at its first element: lists of an event hold a few values, and
    /// growing from one element reallocated at the second and the third (an empty list
    /// allocates nothing).
    static var listCapacity: Int { 4 }

    /// An array of entity ids.
    mutating func readEntities() -> [EntityID]? {
        var result: [EntityID] = []
        guard elements({ reader in
            guard let raw = reader.readRawString(), EntityID.isValid(raw) else { return false }
            if result.isEmpty { result.reserveCapacity(Self.listCapacity) }
            result.append(EntityID(validated: String(decoding: raw, as: UTF8.self)))
            return true
        }) else { return nil }
        return result
    }

    /// A non-negative integer written as plain digits (no sign, fraction or exponent), at
    /// most 15 of them.
    mutating func readCount() -> Int? {
        let start = position
        var value = 0
        while let digit = peek(), digit >= 0x30, digit <= 0x39 {
            value = value * 10 + Int(digit - 0x30)
            position += 1
        }
        let length = position - start
        guard length > 0, length <= 15, length == 1 || bytes[start] != 0x30 else { return nil }
        if let next = peek(), next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        return value
    }

    private mutating func elements(_ element: (inout JSONReader) -> Bool) -> Bool {
        guard peek() == UInt8(ascii: "[") else { return false }
        position += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return true
        }
        while true {
            skipWhitespace()
            guard element(&self) else { return false }
            skipWhitespace()
            guard let next = peek() else { return false }
            position += 1
            if next == UInt8(ascii: "]") { return true }
            guard next == UInt8(ascii: ",") else { return false }
        }
    }
}
