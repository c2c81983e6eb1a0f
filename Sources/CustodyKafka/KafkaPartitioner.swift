import CRdKafka

/// Special offsets for `assign` and `seek`.
public enum KafkaOffset {
    public static let beginning = Int64(RD_KAFKA_OFFSET_BEGINNING)
    public static let end = Int64(RD_KAFKA_OFFSET_END)
}

/// librdkafka's key partitioners, so that Custody computes the partition a key belongs to
/// exactly as librdkafka producers (and, with murmur2, Java producers) do.
public enum KafkaPartitioner: String, Sendable, CaseIterable {
    /// CRC32 of the key (librdkafka's default, `consistent_random` for non-empty keys).
    case consistent = "consistent_random"
    /// Murmur2 of the key (Java's default partitioner).
    case murmur2 = "murmur2_random"

    /// The partition of `key` among `partitionCount`.
    public func partition(for key: [UInt8], partitionCount: Int32) -> Int32 {
        key.withUnsafeBytes { partition(for: $0, partitionCount: partitionCount) }
    }

    /// The partition of the UTF-8 bytes of `key` (borrowed, not copied).
    public func partition(for key: String, partitionCount: Int32) -> Int32 {
        key.withUTF8Bytes { partition(for: UnsafeRawBufferPointer($0), partitionCount: partitionCount) }
    }

    func partition(for bytes: UnsafeRawBufferPointer, partitionCount: Int32) -> Int32 {
        switch self {
        case .consistent:
            rd_kafka_msg_partitioner_consistent(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        case .murmur2:
            rd_kafka_msg_partitioner_murmur2(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        }
    }
}
