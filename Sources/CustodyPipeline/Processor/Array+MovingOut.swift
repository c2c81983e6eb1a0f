extension Array {
    /// Hands `body` each element in order, moved out of the array's buffer rather than copied
    /// (a copy retains what the element holds, and emptying the array releases it again);
    /// `placeholder` takes each one's place. When `body` throws, the elements after the
    /// failing one stay in place and the error is rethrown.
    mutating func forEachMovedOut(leaving placeholder: Element, _ body: (consuming Element) throws -> Void) rethrows {
        try withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for index in buffer.indices {
                let element = (base + index).move()
                (base + index).initialize(to: placeholder)
                try body(element)
            }
        }
    }
}
