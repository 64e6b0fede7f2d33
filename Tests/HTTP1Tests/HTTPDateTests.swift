import HTTP1
import Testing

@Suite("HTTPDate")
struct HTTPDateTests {
    @Test(
        "formats IMF-fixdate",
        arguments: [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (1_709_208_000, "Thu, 29 Feb 2024 12:00:00 GMT"),
            (1_709_251_200, "Fri, 01 Mar 2024 00:00:00 GMT"),
            (951_868_799, "Tue, 29 Feb 2000 23:59:59 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        ]
    )
    func format_MatchesKnownTimestamps(seconds: Int, expected: String) {
        #expect(HTTPDate.format(unixSeconds: seconds) == expected)
    }

    @Test func format_NeverTraps_OnExtremeValues() {
        #expect(!HTTPDate.format(unixSeconds: Int.max / 2).isEmpty)
        #expect(!HTTPDate.format(unixSeconds: Int.min / 2).isEmpty)
    }
}
