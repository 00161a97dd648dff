extension Array where Element == UInt8 {
    /// Compares two digests without stopping at the first difference, so timing says nothing about a secret.
    func elementsEqualInConstantTime(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        var difference: UInt8 = 0
        for index in indices { difference |= self[index] ^ other[index] }
        return difference == 0
    }
}
