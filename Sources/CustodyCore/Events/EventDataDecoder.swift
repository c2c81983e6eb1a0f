/// Reads the `data` object of one event type: required fields present, every field typed.
struct EventDataDecoder {
    let fields: JSONObject
    let type: LifecycleEventType

    func decode() throws(EventError) -> EventData {
        switch type {
        case .created:
            return .created(EventData.Created(
                classification: try stringList("classification"), owner: try string("owner"),
                category: try string("category"), jurisdiction: try optionalString("jurisdiction"),
                location: try optionalString("location"), origin: try optionalString("origin")))
        case .derived:
            let job = try object("job")
            let jobFields = EventDataDecoder(fields: job, type: type)
            let runId = try optionalString("runId")
            if let runId, !isUUID(runId) {
                throw EventError(.invalidFieldValue, "data.runId '\(runId)' is not a UUID")
            }
            let inputs = try entityList("inputs")
            guard !inputs.isEmpty else { throw EventError(.invalidFieldValue, "data.inputs must name at least one entity") }
            return .derived(EventData.Derived(
                inputs: inputs, jobNamespace: try jobFields.string("namespace", path: "data.job.namespace"),
                jobName: try jobFields.string("name", path: "data.job.name"), runId: runId,
                masked: try fields["masked"] == nil ? [] : entityList("masked")))
        case .classified:
            return .classified(classification: try stringList("classification"))
        case .ownerChanged:
            return .ownerChanged(owner: try string("owner"))
        case .moved:
            return .moved(location: try string("location"))
        case .accessed:
            let principal = try object("principal")
            let principalFields = EventDataDecoder(fields: principal, type: type)
            var attributes = JSONObject()
            if let raw = principal["attributes"] {
                guard case let .object(object) = raw else {
                    throw EventError(.wrongFieldType, "data.principal.attributes must be an object, not \(raw.typeName)")
                }
                attributes = object
            }
            var records = 1
            if let raw = fields["records"] {
                guard let count = raw.integerValue else {
                    throw EventError(.wrongFieldType, "data.records must be an integer, not \(raw.typeName)")
                }
                guard count >= 0 else { throw EventError(.invalidFieldValue, "data.records must not be negative") }
                records = count
            }
            return .accessed(EventData.Accessed(
                principalId: try principalFields.string("id", path: "data.principal.id"),
                roles: try principal["roles"] == nil ? [] : principalFields.stringList("roles", path: "data.principal.roles"),
                attributes: attributes, purpose: try string("purpose"),
                fields: try fields["fields"] == nil ? [] : stringList("fields"), records: records))
        case .holdPlaced:
            return .holdPlaced(holdId: try string("holdId"), reason: try optionalString("reason"), by: try optionalString("by"))
        case .holdReleased:
            return .holdReleased(holdId: try string("holdId"), by: try optionalString("by"))
        case .deleted:
            let methodText = try string("method")
            guard let method = EventData.DeletionMethod(rawValue: methodText) else {
                throw EventError(.invalidFieldValue, "data.method '\(methodText)' must be hard, crypto-shred or anonymized")
            }
            let digest = try optionalString("contentDigest")
            if let digest, !isSHA256Digest(digest) {
                throw EventError(.invalidFieldValue, "data.contentDigest '\(digest)' must be sha256:<64 hex digits>")
            }
            return .deleted(EventData.Deleted(method: method, by: try string("by"), contentDigest: digest))
        }
    }

    func string(_ name: String, path: String? = nil) throws(EventError) -> String {
        let path = path ?? "data.\(name)"
        guard let raw = fields[name] else { throw EventError(.missingField, "\(path) is required for \(type.rawValue)") }
        guard case let .string(text) = raw else {
            throw EventError(.wrongFieldType, "\(path) must be a string, not \(raw.typeName)")
        }
        guard !text.isEmpty else { throw EventError(.invalidFieldValue, "\(path) must not be empty") }
        return text
    }

    func optionalString(_ name: String) throws(EventError) -> String? {
        guard let raw = fields[name], raw != .null else { return nil }
        guard case let .string(text) = raw else {
            throw EventError(.wrongFieldType, "data.\(name) must be a string, not \(raw.typeName)")
        }
        return text
    }

    func object(_ name: String) throws(EventError) -> JSONObject {
        guard let raw = fields[name] else { throw EventError(.missingField, "data.\(name) is required for \(type.rawValue)") }
        guard case let .object(object) = raw else {
            throw EventError(.wrongFieldType, "data.\(name) must be an object, not \(raw.typeName)")
        }
        return object
    }

    func stringList(_ name: String, path: String? = nil) throws(EventError) -> [String] {
        let path = path ?? "data.\(name)"
        guard let raw = fields[name] else { throw EventError(.missingField, "\(path) is required for \(type.rawValue)") }
        guard case let .array(elements) = raw else {
            throw EventError(.wrongFieldType, "\(path) must be an array of strings, not \(raw.typeName)")
        }
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case let .string(text) = element, !text.isEmpty else {
                throw EventError(.wrongFieldType, "\(path)[\(index)] must be a non-empty string")
            }
            result.append(text)
        }
        return result
    }

    func entityList(_ name: String) throws(EventError) -> [EntityID] {
        var result: [EntityID] = []
        for (index, text) in try stringList(name).enumerated() {
            guard let entity = EntityID(text) else {
                throw EventError(.invalidEntityID, "data.\(name)[\(index)] '\(text)' is not an entity id (scheme://authority/path)")
            }
            result.append(entity)
        }
        return result
    }
}

func isHexDigit(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
}

func isUUID(_ text: String) -> Bool {
    text.withUTF8Bytes { bytes in
        guard bytes.count == 36 else { return false }
        for index in 0..<36 {
            let isDash = index == 8 || index == 13 || index == 18 || index == 23
            guard isDash ? bytes[index] == UInt8(ascii: "-") : isHexDigit(bytes[index]) else { return false }
        }
        return true
    }
}

/// `sha256:` and 64 hex digits, checked on the bytes (a `deleted` event's digest).
func isSHA256Digest(_ text: String) -> Bool {
    text.withUTF8Bytes { bytes in
        bytes.count == 71 && UnsafeBufferPointer(rebasing: bytes[..<7]).is("sha256:") && bytes[7...].allSatisfy(isHexDigit)
    }
}
