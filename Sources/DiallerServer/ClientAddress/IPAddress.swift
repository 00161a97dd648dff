#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, held as 128 bits with IPv4 in its IPv4-mapped form (`::ffff:a.b.c.d`),
/// so that one comparison serves both families and a mapped peer matches its IPv4 proxy entry.
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The first and last 64 bits, most significant first.
    let high: UInt64
    let low: UInt64

    /// The text form is exactly an address: dotted IPv4 or RFC 4291 IPv6, no port, brackets or
    /// zone (`%eth0`). Parsed by `inet_pton`, which refuses leading zeros in IPv4.
    init?(_ text: some StringProtocol) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let string = String(text)
        if string.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, string, &address) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            self.init(high: Self.bigEndian(bytes[0..<8]), low: Self.bigEndian(bytes[8..<16]))
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, string, &address) == 1 else { return nil }
            self.init(ipv4: UInt32(bigEndian: address.s_addr))
        }
    }

    init(ipv4: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(ipv4))
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// Dotted IPv4, or IPv6 as `inet_ntop` writes it (RFC 5952: lower case, longest zero run as `::`).
    var description: String {
        if isIPv4 {
            let v4 = UInt32(truncatingIfNeeded: low)
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { bytes in
            for index in 0..<8 {
                bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
            }
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
