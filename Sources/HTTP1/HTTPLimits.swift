/// Size limits the ``RequestParser`` enforces, so one connection's memory stays bounded.
///
/// Exceeding a head limit fails with status 431, exceeding the body limit with 413.
package struct HTTPLimits: Sendable, Equatable {
    /// Maximum bytes of the request line, line ending included. Default: 8,192 (8 KiB).
    ///
    /// Exceeding it answers `431 Request Header Fields Too Large` rather than `414 URI Too Long`: our API contract
    /// reports every oversized head the same way.
    package var maxRequestLineBytes: Int
    /// Maximum bytes of the whole head (request line, header lines and the empty line). Default: 16,384 (16 KiB).
    /// Also bounds the trailer section of a chunked body. Exceeding it answers 431.
    package var maxHeaderBytes: Int
    /// Maximum number of header field lines (and, separately, of trailer lines). Default: 100. Exceeding it answers 431.
    package var maxHeaderCount: Int
    /// Maximum body bytes after de-chunking. Default: 1,048,576 (1 MiB). Exceeding it answers `413 Content Too Large`;
    /// a `Content-Length` above it is refused as soon as the head arrives.
    package var maxBodyBytes: Int

    /// Creates limits; every argument defaults to the documented value.
    package init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
