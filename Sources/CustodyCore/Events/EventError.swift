/// Why a record is not a valid lifecycle event. `code` is stable: it is the DLQ's
/// `error-code` header and a metrics label.
public struct EventError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case emptyRecord = "EMPTY_RECORD"
        case oversizeRecord = "OVERSIZE_RECORD"
        case invalidUTF8 = "INVALID_UTF8"
        case malformedJSON = "MALFORMED_JSON"
        case notAnObject = "NOT_AN_OBJECT"
        case missingAttribute = "MISSING_ATTRIBUTE"
        case unsupportedSpecVersion = "UNSUPPORTED_SPECVERSION"
        case unknownType = "UNKNOWN_TYPE"
        case invalidEntityID = "INVALID_ENTITY_ID"
        case invalidTime = "INVALID_TIME"
        case missingField = "MISSING_FIELD"
        case wrongFieldType = "WRONG_FIELD_TYPE"
        case invalidFieldValue = "INVALID_FIELD_VALUE"
        case invalidHeader = "INVALID_HEADER"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
