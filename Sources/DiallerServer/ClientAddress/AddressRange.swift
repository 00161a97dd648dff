/// One `--trusted-proxy` entry: an address, or a network in CIDR form (`10.0.0.0/8`, `fd00::/8`).
struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    let network: IPAddress
    /// Leading bits that must match, counted over the 128-bit form (an IPv4 /8 is 104).
    let prefixLength: Int

    /// An address alone, or `address/bits` with bits up to 32 (IPv4) or 128 (IPv6) and no bits
    /// set past the prefix: `10.0.0.1/8` is refused rather than silently read as `10.0.0.0/8`.
    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let familyBits = address.isIPv4 ? 32 : 128
        var bits = familyBits
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let given = Int(digits), given <= familyBits
            else { return nil }
            bits = given
        }
        let prefixLength = 128 - familyBits + bits
        guard Self.masked(address, prefixLength) == address else { return nil }
        self.network = address
        self.prefixLength = prefixLength
    }

    func contains(_ address: IPAddress) -> Bool {
        Self.masked(address, prefixLength) == network
    }

    var description: String {
        let bits = network.isIPv4 ? prefixLength - 96 : prefixLength
        return bits == (network.isIPv4 ? 32 : 128) ? "\(network)" : "\(network)/\(bits)"
    }

    /// The address with every bit after the first `bits` cleared.
    private static func masked(_ address: IPAddress, _ bits: Int) -> IPAddress {
        func mask(_ keep: Int) -> UInt64 { keep <= 0 ? 0 : keep >= 64 ? .max : ~(UInt64.max >> keep) }
        return IPAddress(high: address.high & mask(bits), low: address.low & mask(bits - 64))
    }
}
