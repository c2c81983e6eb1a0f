extension Array {
    /// The element at `index`, moved out of the array's buffer rather than copied (a copy
    /// retains what the element holds, and emptying the array releases it again);
    /// `placeholder` takes its place.
    ///
    /// Pass the result straight to a `consuming` parameter. A closure in between costs the
    /// copy this avoids: the compiler copies a closure's `consuming` parameter to pass it on
    /// (seen in the disassembly of a `forEach`-style helper this replaced: a copy and a
    /// destroy of every polled record and every output job).
    mutating func moveOut(at index: Int, leaving placeholder: Element) -> Element {
        precondition(indices.contains(index), "index \(index) out of range 0..<\(count)")
        return withUnsafeMutableBufferPointer { buffer in
            let slot = buffer.baseAddress! + index
            let element = slot.move()
            slot.initialize(to: placeholder)
            return element
        }
    }
}
