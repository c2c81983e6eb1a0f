/// Propagation messages as JSON records of the internal propagation topic (key = target).
public enum PropagationCodec {
    public static func encode(_ message: Propagation.Message) -> [UInt8] {
        var object = JSONObject(["v": 1, "target": .string(message.target.value), "from": .string(message.from.value)])
        switch message.kind {
        case let .assert(classification, origin, epoch), let .retract(classification, origin, epoch):
            if case .assert = message.kind { object["kind"] = "assert" } else { object["kind"] = "retract" }
            object["classification"] = .string(classification)
            object["origin"] = .string(origin.value)
            object["epoch"] = .number(Double(epoch))
        case .addOutput:
            object["kind"] = "addOutput"
        case let .reannounce(classification):
            object["kind"] = "reannounce"
            object["classification"] = .string(classification)
        case let .pull(classification):
            object["kind"] = "pull"
            object["classification"] = .string(classification)
        }
        object["cause"] = .object(JSONObject(["source": .string(message.cause.source), "eventId": .string(message.cause.eventId),
                                              "type": .string(message.cause.type), "entity": .string(message.cause.entity.value)]))
        return JSONWriter.bytes(.object(object))
    }

    public static func decode(_ bytes: [UInt8]) -> Propagation.Message? {
        guard case let .object(object)? = try? JSONParser.parse(bytes), object["v"]?.integerValue == 1,
              let target = object["target"]?.stringValue.flatMap(EntityID.init),
              let from = object["from"]?.stringValue.flatMap(EntityID.init),
              case let .object(cause)? = object["cause"], let source = cause["source"]?.stringValue,
              let eventId = cause["eventId"]?.stringValue, let type = cause["type"]?.stringValue,
              let causeEntity = cause["entity"]?.stringValue.flatMap(EntityID.init) else { return nil }
        let kind: Propagation.Message.Kind
        let classification = object["classification"]?.stringValue
        let origin = object["origin"]?.stringValue.flatMap(EntityID.init)
        let epoch = object["epoch"]?.integerValue
        switch object["kind"]?.stringValue {
        case "assert"?:
            guard let classification, let origin, let epoch else { return nil }
            kind = .assert(classification: classification, origin: origin, epoch: epoch)
        case "retract"?:
            guard let classification, let origin, let epoch else { return nil }
            kind = .retract(classification: classification, origin: origin, epoch: epoch)
        case "addOutput"?:
            kind = .addOutput
        case "reannounce"?:
            guard let classification else { return nil }
            kind = .reannounce(classification: classification)
        case "pull"?:
            guard let classification else { return nil }
            kind = .pull(classification: classification)
        default:
            return nil
        }
        return Propagation.Message(target: target, from: from, kind: kind,
                                   cause: Propagation.Cause(source: source, eventId: eventId, type: type, entity: causeEntity))
    }
}
