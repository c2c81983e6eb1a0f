import Crypto
#if os(Linux)
import CSHA256
#endif

extension DecisionID {
    /// The first 128 bits of SHA-256 over `bytes`: a decision id from its input.
    ///
    /// On Linux, swift-crypto's `SHA256` is BoringSSL's behind a Swift wrapper that allocates
    /// a context object per hash, checks exclusive access to it and zeroes its copies: for a
    /// decision id's few hundred bytes that cost as much as the hashing. This calls the same
    /// BoringSSL function in one step (`CCryptoBoringSSL_SHA256`, from swift-crypto's build;
    /// see `CSHA256`). Elsewhere swift-crypto has no BoringSSL, and its `SHA256` is used. A
    /// test holds the two equal.
    init(sha256Of bytes: UnsafeRawBufferPointer) {
        #if os(Linux)
        self = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            // A valid pointer even for no bytes (an empty buffer's may be nil).
            var none: UInt8 = 0
            if let base = bytes.baseAddress {
                _ = CCryptoBoringSSL_SHA256(base.assumingMemoryBound(to: UInt8.self), bytes.count, digest.baseAddress!)
            } else {
                _ = CCryptoBoringSSL_SHA256(&none, 0, digest.baseAddress!)
            }
            return DecisionID(first16Of: UnsafeRawBufferPointer(digest))
        }
        #else
        self.init(prefixOf: SHA256.hash(data: bytes))
        #endif
    }
}
