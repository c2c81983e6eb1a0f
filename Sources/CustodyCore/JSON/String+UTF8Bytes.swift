extension String {
    /// Calls `body` with the string's UTF-8 bytes, borrowed from a native string's storage.
    /// `var copy = text; copy.withUTF8 { ... }` retains and releases the storage for the copy
    /// on every call (about 40% slower on the record writers' strings); only a string that is
    /// not contiguous UTF-8 (bridged) is copied here.
    @inline(__always)
    public func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
