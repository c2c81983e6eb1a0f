@testable import CustodyPipeline
import Testing

/// `forEachMovedOut`, which the processing thread uses on each polled batch and the output
/// stage on each batch of jobs.
@Suite struct MovingOutTests {
    final class Box {
        let number: Int
        let onDeinit: (Int) -> Void
        init(_ number: Int, onDeinit: @escaping (Int) -> Void = { _ in }) {
            self.number = number
            self.onDeinit = onDeinit
        }
        deinit { onDeinit(number) }
    }

    struct Stop: Error {}

    @Test func eachElementIsHandedOverInOrderAndReleasedOnceHandled() {
        var released: [Int] = []
        let placeholder = Box(-1)
        var boxes = (0..<5).map { Box($0) { released.append($0) } }
        var seen: [Int] = []
        var releasedBefore: [[Int]] = []
        boxes.forEachMovedOut(leaving: placeholder) { box in
            // Every element handled before this one is gone: the array no longer holds it.
            releasedBefore.append(released)
            seen.append(box.number)
        }
        #expect(seen == [0, 1, 2, 3, 4])
        #expect(releasedBefore == [[], [0], [0, 1], [0, 1, 2], [0, 1, 2, 3]])
        #expect(released == [0, 1, 2, 3, 4])
        #expect(boxes.count == 5 && boxes.allSatisfy { $0 === placeholder })
    }

    @Test func aThrowLeavesTheElementsAfterTheFailingOneInPlace() {
        let placeholder = Box(-1)
        var boxes = (0..<5).map { Box($0) }
        #expect(throws: Stop.self) {
            try boxes.forEachMovedOut(leaving: placeholder) { box in
                if box.number == 2 { throw Stop() }
            }
        }
        #expect(boxes.map(\.number) == [-1, -1, -1, 3, 4])
    }
}
