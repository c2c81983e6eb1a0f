import CRdKafka

/// librdkafka properties for one client, passed to librdkafka unchanged.
///
/// Defaults chosen by the wrapper are set by the producer and consumer initialisers
/// only where the caller did not set the property.
public struct KafkaConfiguration: Sendable {
    /// librdkafka configuration properties (`bootstrap.servers`, `security.protocol`, ...).
    public var properties: [String: String]

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrapServers
    }

    public init(properties: [String: String]) {
        self.properties = properties
    }

    public var bootstrapServers: String? {
        get { properties["bootstrap.servers"] }
        set { properties["bootstrap.servers"] = newValue }
    }

    /// Sets `name` only when the caller has not set it.
    public mutating func setDefault(_ name: String, _ value: String) {
        if properties[name] == nil { properties[name] = value }
    }

    /// Builds an `rd_kafka_conf_t`; the caller owns it until `rd_kafka_new` takes it.
    func makeNativeConfiguration() throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.configuration("librdkafka could not allocate a configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(nulTerminated: errorText)
                throw KafkaError.configuration("librdkafka property '\(name)' = '\(value)' refused: \(reason)")
            }
        }
        return conf
    }
}
