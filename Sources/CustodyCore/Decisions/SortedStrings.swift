/// Classification lists are kept sorted, without repeats. These keep them so without a `Set`
/// (a hash table and two arrays per event before): an already sorted list is returned as it
/// is, and two sorted lists are merged.
enum SortedStrings {
    /// `values` sorted, repeats removed; `values` itself when it already is.
    static func normalized(_ values: [String]) -> [String] {
        if isSortedUnique(values) { return values }
        var sorted = values.sorted()
        var kept = 1
        for index in 1..<sorted.count where sorted[index] != sorted[kept - 1] {
            sorted[kept] = sorted[index]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    /// The union of `first` and `second`, sorted, without repeats.
    static func union(_ first: [String], _ second: [String]) -> [String] {
        guard isSortedUnique(first), isSortedUnique(second) else { return normalized(first + second) }
        if second.isEmpty { return first }
        if first.isEmpty { return second }
        var merged: [String] = []
        merged.reserveCapacity(first.count + second.count)
        var left = 0, right = 0
        while left < first.count && right < second.count {
            if first[left] < second[right] {
                merged.append(first[left]); left += 1
            } else if second[right] < first[left] {
                merged.append(second[right]); right += 1
            } else {
                merged.append(first[left]); left += 1; right += 1
            }
        }
        merged.append(contentsOf: first[left...])
        merged.append(contentsOf: second[right...])
        return merged
    }

    static func isSortedUnique(_ values: [String]) -> Bool {
        var index = 1
        while index < values.count {
            guard values[index - 1] < values[index] else { return false }
            index += 1
        }
        return true
    }
}
