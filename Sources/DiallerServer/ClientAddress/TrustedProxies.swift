/// The peers whose `X-Forwarded-For` the server believes (`--trusted-proxy`); none by default.
struct TrustedProxies: Sendable {
    let ranges: [AddressRange]

    init(_ ranges: [AddressRange] = []) {
        self.ranges = ranges
    }

    var isEmpty: Bool { ranges.isEmpty }

    func contains(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client's address: the peer's, unless the peer is trusted. Then `X-Forwarded-For` is
    /// read from the right (each proxy appends the address it was connected from), skipping
    /// trusted addresses; the first one not trusted is the client, since only a trusted proxy's
    /// word was taken to reach it. An entry that is not an address stops the walk at the last
    /// address vouched for. When every entry is trusted, the left-most is the client.
    ///
    /// `forwardedFor` holds the header's values in the order received (several header lines make
    /// one list, RFC 9110 §5.3); empty list elements are skipped, as that section allows.
    func client(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        guard contains(peer) else { return peer }
        var client = peer
        for value in forwardedFor.reversed() {
            for element in value.split(separator: ",", omittingEmptySubsequences: false).reversed() {
                let entry = element.trimmingSpaces
                if entry.isEmpty { continue }
                guard let address = Self.address(inForwardedEntry: entry) else { return client }
                client = address
                if !contains(address) { return address }
            }
        }
        return client
    }

    /// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:5678`: some
    /// proxies add the client's port.
    static func address(inForwardedEntry entry: Substring) -> IPAddress? {
        var host = entry
        var port: Substring?
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":"), host.contains(":") else { return nil }
            port = rest.isEmpty ? nil : rest.dropFirst()
        } else if let colon = entry.firstIndex(of: ":"), entry.lastIndex(of: ":") == colon {
            host = entry[..<colon]
            port = entry[entry.index(after: colon)...]
        }
        if let port, !Self.isPort(port) { return nil }
        return IPAddress(host)
    }

    private static func isPort(_ text: Substring) -> Bool {
        (1...5).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber } && Int(text)! <= 65_535
    }
}

extension Substring {
    /// Without the spaces and tabs that may surround a list element (RFC 9110 §5.6.1 OWS).
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
