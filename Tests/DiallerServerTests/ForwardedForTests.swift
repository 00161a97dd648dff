import Testing

@testable import DiallerServer

/// `--trusted-proxy` entries and the client address read from `X-Forwarded-For`.
@Suite struct ForwardedForTests {
    func proxies(_ entries: String...) throws -> TrustedProxies {
        TrustedProxies(try entries.map { try #require(AddressRange($0), "\($0) should parse") })
    }

    func address(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("10.0.0.0/8", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0"), ("::1", "::1"),
        ("fd00::/8", "fd00::/8"), ("2001:DB8::1", "2001:db8::1"), ("::ffff:10.1.2.3", "10.1.2.3"),
        ("2001:db8:0:0:0:0:0:0/32", "2001:db8::/32"),
    ])
    func proxyEntriesParseToTheirCanonicalForm(text: String, canonical: String) throws {
        #expect(try #require(AddressRange(text)).description == canonical)
    }

    @Test(arguments: [
        "", "nginx", "localhost", "127.0.0.1/", "127.0.0.1/33", "10.0.0.1/8", "10.0.0.0/-8", "10.0.0.0/+8",
        "10.0.0.0/8/8", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1", "::1/129", "fe80::1%eth0", "[::1]",
        "1.2.3.4:80", " 1.2.3.4", "::g", "1:2:3:4:5:6:7:8:9",
    ])
    func badProxyEntriesAreRefused(text: String) {
        #expect(AddressRange(text) == nil)
    }

    @Test func rangesMatchTheirAddressesOnly() throws {
        let trusted = try proxies("10.0.0.0/8", "192.168.1.7", "fd00::/8")
        #expect(trusted.contains(try address("10.255.0.1")))
        #expect(trusted.contains(try address("::ffff:10.0.0.9")))
        #expect(trusted.contains(try address("192.168.1.7")))
        #expect(trusted.contains(try address("fdab::1")))
        #expect(!trusted.contains(try address("11.0.0.1")))
        #expect(!trusted.contains(try address("192.168.1.8")))
        #expect(!trusted.contains(try address("fe00::1")))
        #expect(!trusted.contains(try address("::a00:1")), "an IPv6 address is not the IPv4 address of the same low bits")
        #expect(try proxies("::/0").contains(try address("1.2.3.4")))
        #expect(!(try proxies("0.0.0.0/0").contains(try address("::1"))))
    }

    func client(peer: String, _ forwardedFor: [String], trusting trusted: TrustedProxies) throws -> String {
        "\(trusted.client(peer: try address(peer), forwardedFor: forwardedFor))"
    }

    @Test func anUntrustedPeerIsTheClientWhateverItForwards() throws {
        let trusted = try proxies("127.0.0.1")
        #expect(try client(peer: "203.0.113.9", ["198.51.100.1"], trusting: trusted) == "203.0.113.9")
        #expect(try client(peer: "127.0.0.1", ["198.51.100.1"], trusting: TrustedProxies()) == "127.0.0.1")
    }

    @Test func theRightMostUntrustedAddressIsTheClient() throws {
        let trusted = try proxies("127.0.0.1", "10.0.0.0/8")
        // A client's own (spoofed) entry, then the address nginx appends.
        #expect(try client(peer: "127.0.0.1", ["6.6.6.6, 203.0.113.9"], trusting: trusted) == "203.0.113.9")
        // A chain through a trusted load balancer in 10/8.
        #expect(try client(peer: "127.0.0.1", ["6.6.6.6, 203.0.113.9, 10.1.1.1"], trusting: trusted) == "203.0.113.9")
        // Several header lines are one list, in order.
        #expect(try client(peer: "127.0.0.1", ["6.6.6.6", "203.0.113.9", "10.1.1.1"], trusting: trusted) == "203.0.113.9")
        // Every hop trusted: the left-most.
        #expect(try client(peer: "127.0.0.1", ["10.0.0.2, 10.0.0.3"], trusting: trusted) == "10.0.0.2")
        // No header: the peer.
        #expect(try client(peer: "127.0.0.1", [], trusting: trusted) == "127.0.0.1")
    }

    @Test func garbageStopsTheWalkAtTheLastAddressVouchedFor() throws {
        let trusted = try proxies("127.0.0.1", "10.0.0.0/8")
        #expect(try client(peer: "127.0.0.1", ["nonsense"], trusting: trusted) == "127.0.0.1")
        #expect(try client(peer: "127.0.0.1", ["203.0.113.9, unknown, 10.0.0.5"], trusting: trusted) == "10.0.0.5")
        #expect(try client(peer: "127.0.0.1", ["203.0.113.9, 10.0.0.5, <script>"], trusting: trusted) == "127.0.0.1")
        #expect(try client(peer: "127.0.0.1", ["1.2.3.4:99999"], trusting: trusted) == "127.0.0.1")
        #expect(try client(peer: "127.0.0.1", ["fe80::1%eth0"], trusting: trusted) == "127.0.0.1")
        #expect(try client(peer: "127.0.0.1", [String(repeating: "9", count: 5000)], trusting: trusted) == "127.0.0.1")
        // Empty list elements are skipped, as HTTP lists allow.
        #expect(try client(peer: "127.0.0.1", ["203.0.113.9, , ", ""], trusting: trusted) == "203.0.113.9")
    }

    @Test func ipv6AndPortsInEntries() throws {
        let trusted = try proxies("::1", "127.0.0.1")
        #expect(try client(peer: "::1", ["2001:DB8::0:1"], trusting: trusted) == "2001:db8::1")
        #expect(try client(peer: "::1", ["[2001:db8::1]:4711"], trusting: trusted) == "2001:db8::1")
        #expect(try client(peer: "::1", ["[2001:db8::1]"], trusting: trusted) == "2001:db8::1")
        #expect(try client(peer: "::1", ["203.0.113.9:4711"], trusting: trusted) == "203.0.113.9")
        #expect(try client(peer: "::ffff:127.0.0.1", ["::ffff:203.0.113.9"], trusting: trusted) == "203.0.113.9")
        #expect(try client(peer: "::1", ["[203.0.113.9]"], trusting: trusted) == "::1")
        #expect(try client(peer: "::1", ["[2001:db8::1]x"], trusting: trusted) == "::1")
    }
}
