import Logging

/// swift-log to standard error at `level`, for every command (once per process).
func bootstrapStandardErrorLogging(level: Logger.Level = .info) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
