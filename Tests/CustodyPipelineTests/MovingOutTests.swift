@testable import CustodyPipeline
import Testing

/// `moveOut(at:leaving:)`, which the processing thread uses on each polled batch and the
/// output stage on each batch of jobs.
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

    /// As the call sites use it: each element handed to a consuming function in order,
    /// released once handled (the array no longer holds it), the placeholder in its place.
    @Test func eachElementIsHandedOverInOrderAndReleasedOnceHandled() {
        var released: [Int] = []
        let placeholder = Box(-1)
        var boxes = (0..<5).map { Box($0) { released.append($0) } }
        var seen: [Int] = []
        var releasedBefore: [[Int]] = []
        func handle(_ box: consuming Box) {
            // Every element handled before this one is gone.
            releasedBefore.append(released)
            seen.append(box.number)
        }
        for index in boxes.indices { handle(boxes.moveOut(at: index, leaving: placeholder)) }
        #expect(seen == [0, 1, 2, 3, 4])
        #expect(releasedBefore == [[], [0], [0, 1], [0, 1, 2], [0, 1, 2, 3]])
        #expect(released == [0, 1, 2, 3, 4])
        #expect(boxes.count == 5 && boxes.allSatisfy { $0 === placeholder })
    }

    @Test func aThrowLeavesTheElementsAfterTheFailingOneInPlace() {
        let placeholder = Box(-1)
        var boxes = (0..<5).map { Box($0) }
        func handle(_ box: consuming Box) throws {
            if box.number == 2 { throw Stop() }
        }
        #expect(throws: Stop.self) {
            for index in boxes.indices { try handle(boxes.moveOut(at: index, leaving: placeholder)) }
        }
        #expect(boxes.map(\.number) == [-1, -1, -1, 3, 4])
    }

    /// The moved-out element is the only reference left: the array kept no copy of it.
    @Test func theArrayKeepsNoReferenceToTheMovedOutElement() {
        var released: [Int] = []
        var boxes = [Box(7) { released.append($0) }]
        do {
            var moved = boxes.moveOut(at: 0, leaving: Box(-1))
            #expect(isKnownUniquelyReferenced(&moved))
        }
        #expect(released == [7])
        #expect(boxes[0].number == -1)
    }
}
