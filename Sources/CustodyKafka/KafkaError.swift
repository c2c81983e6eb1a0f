import CRdKafka

/// An error from librdkafka or from the wrapper, as a value with a stable code.
///
/// `code` is librdkafka's error name (`_QUEUE_FULL`, `UNKNOWN_TOPIC_OR_PART`, ...)
/// or a wrapper code (`CONFIGURATION`, `INVALID_ARGUMENT`). The three flags carry
/// librdkafka's error classes: retry the operation, abort the transaction, or
/// give up on the client.
public struct KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The stable code: librdkafka's error name, or a wrapper code.
    public var code: String
    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), 0 for wrapper errors.
    public var rawCode: Int32
    /// A human message.
    public var message: String
    /// The operation may succeed if retried as it is.
    public var isRetriable: Bool
    /// The current transaction must be aborted before the producer can go on.
    public var requiresTransactionAbort: Bool
    /// The client cannot go on and must be recreated.
    public var isFatal: Bool

    public init(code: String, rawCode: Int32 = 0, message: String,
                isRetriable: Bool = false, requiresTransactionAbort: Bool = false, isFatal: Bool = false) {
        self.code = code
        self.rawCode = rawCode
        self.message = message
        self.isRetriable = isRetriable
        self.requiresTransactionAbort = requiresTransactionAbort
        self.isFatal = isFatal
    }

    public var description: String { "\(code): \(message)" }

    /// Wraps a plain librdkafka response error code.
    static func make(_ err: rd_kafka_resp_err_t, _ context: String? = nil) -> KafkaError {
        let name = String(cString: rd_kafka_err2name(err))
        let text = String(cString: rd_kafka_err2str(err))
        let message = context.map { "\($0): \(text)" } ?? text
        let retriable = err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__QUEUE_FULL
            || err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
            || err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR || err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE
            || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT || err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
            || err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS || err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION
            || err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || err == RD_KAFKA_RESP_ERR__WAIT_COORD
        return KafkaError(code: name, rawCode: err.rawValue, message: message, isRetriable: retriable,
                          isFatal: err == RD_KAFKA_RESP_ERR__FATAL)
    }

    /// Takes ownership of an `rd_kafka_error_t` (transactions API) and frees it.
    static func consume(_ error: OpaquePointer, _ context: String) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let name = String(cString: rd_kafka_error_name(error))
        let text = String(cString: rd_kafka_error_string(error))
        return KafkaError(code: name, rawCode: rd_kafka_error_code(error).rawValue,
                          message: "\(context): \(text)",
                          isRetriable: rd_kafka_error_is_retriable(error) != 0,
                          requiresTransactionAbort: rd_kafka_error_txn_requires_abort(error) != 0,
                          isFatal: rd_kafka_error_is_fatal(error) != 0)
    }

    static func configuration(_ message: String) -> KafkaError {
        KafkaError(code: "CONFIGURATION", message: message)
    }

    static func invalidArgument(_ message: String) -> KafkaError {
        KafkaError(code: "INVALID_ARGUMENT", message: message)
    }

    /// Throws when `err` is not `NO_ERROR`.
    static func check(_ err: rd_kafka_resp_err_t, _ context: String) throws {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw make(err, context) }
    }

    /// Throws (and frees) a non-nil `rd_kafka_error_t`.
    static func check(_ error: OpaquePointer?, _ context: String) throws {
        if let error { throw consume(error, context) }
    }
}

extension String {
    /// Text from a C error buffer filled by librdkafka (NUL-terminated within the buffer).
    init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
