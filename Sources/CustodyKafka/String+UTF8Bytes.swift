extension String {
    /// Calls `body` with the string's UTF-8 bytes, borrowed from a native string's storage:
    /// `var copy = text; copy.withUTF8 { ... }` retains and releases the storage on every
    /// call. The twin of CustodyCore's `withUTF8Bytes` (this module does not import that one).
    @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
