/// An incremental HTTP/1.1 request parser: bytes in, complete requests out (RFC 9112).
///
/// Feed it whatever the socket returned with ``append(_:)-(UnsafeRawBufferPointer)``, then call ``next()`` until it
/// returns `nil` ("need more bytes"). Pipelined requests come out one per call, in order. The parser never touches a
/// socket; it buffers at most one request head plus one body (both bounded by ``HTTPLimits``) plus whatever the caller
/// appended beyond that, and compacts consumed bytes away.
///
/// Line endings: CRLF only. A bare LF or a bare CR anywhere in the head, chunk lines or trailers is rejected with
/// ``HTTPParseError/invalidLineEnding``: RFC 9112 §2.2 lets a recipient accept a bare LF in the head, but strict
/// peers do not, and two parsers that disagree on where a line ends can be made to disagree on where a request ends.
///
/// After an error every further ``next()`` throws the same error: the connection has lost framing and must close.
///
/// Threading: a value owned by one connection and used from one queue at a time; deliberately not `Sendable`.
package struct RequestParser {
    /// What ``RequestParser/next()`` found.
    package enum Event: Sendable, Equatable {
        /// A complete head with `Expect: 100-continue` whose body has not fully arrived: write `100 Continue` now.
        /// Emitted at most once per request, before its ``request(_:)`` event.
        case continueExpected(HTTPRequestHead)
        /// A complete request, body included.
        case request(HTTPRequest)
    }

    private enum State {
        case head(HeadScanner)
        case fixedBody(HTTPRequestHead, length: Int, continueSent: Bool)
        case chunkedBody(HTTPRequestHead, ChunkedBodyDecoder, continueSent: Bool)
        case failed(HTTPParseError)
    }

    /// The limits this parser enforces.
    package let limits: HTTPLimits

    private var buffer: [UInt8] = []
    /// Index of the first unconsumed byte in `buffer`.
    private var readIndex = 0
    private var state = State.head(HeadScanner())
    /// The de-chunked body of the request being read; kept outside `state` so appends never copy it.
    private var chunkedBody: [UInt8] = []

    /// Creates a parser enforcing `limits`.
    package init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Bytes appended but not yet returned as part of a request.
    package var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the parser sits between requests with nothing buffered: no request has started.
    package var isIdle: Bool {
        if case .head = state { return bufferedByteCount == 0 }
        return false
    }

    /// Whether the parser is still waiting for the head of the current request (as opposed to its body).
    package var isReadingHead: Bool {
        if case .head = state { return true }
        return false
    }

    /// Appends bytes received from the peer.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes received from the peer.
    package mutating func append(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next event, or `nil` when more bytes are needed.
    package mutating func next() throws(HTTPParseError) -> Event? {
        do {
            return try parseNext()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func parseNext() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .failed(let error):
                throw error

            case .head(var scanner):
                switch try scanner.scan(buffer, from: readIndex, limits: limits) {
                case .needMore:
                    state = .head(scanner)
                    return nil
                case .leadingEmptyLine(let length):
                    // RFC 9112 §2.2 — ignore empty lines received before the request line.
                    readIndex += length
                    state = .head(HeadScanner())
                case .complete(let length):
                    let head = try HeadParser.parse(buffer[readIndex..<readIndex + length], limits: limits)
                    readIndex += length
                    switch try BodyFraming(head: head, limits: limits) {
                    case .none:
                        state = .head(HeadScanner())
                        return .request(HTTPRequest(head: head))
                    case .length(let length):
                        state = .fixedBody(head, length: length, continueSent: false)
                    case .chunked:
                        chunkedBody = []
                        state = .chunkedBody(head, ChunkedBodyDecoder(), continueSent: false)
                    }
                }

            case .fixedBody(let head, let length, let continueSent):
                guard bufferedByteCount >= length else {
                    guard head.expectsContinue, !continueSent else { return nil }
                    state = .fixedBody(head, length: length, continueSent: true)
                    return .continueExpected(head)
                }
                let body = Array(buffer[readIndex..<readIndex + length])
                readIndex += length
                state = .head(HeadScanner())
                return .request(HTTPRequest(head: head, body: body))

            case .chunkedBody(let head, var decoder, let continueSent):
                let complete = try decoder.decode(buffer, from: &readIndex, into: &chunkedBody, limits: limits)
                guard complete else {
                    let expecting = head.expectsContinue && !continueSent
                    state = .chunkedBody(head, decoder, continueSent: continueSent || expecting)
                    return expecting ? .continueExpected(head) : nil
                }
                let body = chunkedBody
                chunkedBody = []
                state = .head(HeadScanner())
                return .request(HTTPRequest(head: head, body: body))
            }
        }
    }

    /// Drops consumed bytes so the buffer holds only the unparsed tail.
    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}

@available(*, unavailable)
extension RequestParser: Sendable {}
