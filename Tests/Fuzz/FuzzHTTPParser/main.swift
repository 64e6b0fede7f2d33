import FuzzSupport
import HTTP1

// The request parser, on any bytes in any split (docs/fuzzing.md).
//
// Input: a control byte, split lengths, then the bytes a client sends. The low four bits of the control
// byte count the split lengths that follow it; the bytes after them are fed to a parser in chunks of
// those lengths, in turn, until they run out (a length of 0 feeds nothing and asks again); with none,
// or only zeros, one byte at a time. Its high bit picks small limits, so a small input reaches every limit.
//
// The check: the parser never traps, and the split parse gives exactly what one parse of the whole
// gives: the same requests in the same order, then the same error or the same unconsumed byte count.
// `100 Continue` events are left out of that comparison (they depend on whether the body had arrived,
// which is the point of them); each must come before its request and at most once.

/// What a parser made of a client's bytes.
struct Outcome: Equatable {
    var requests: [HTTPRequest] = []
    var error: HTTPParseError?
    /// Bytes buffered but not yet part of a request, when no error ended the parse.
    var leftover = 0
}

let smallLimits = HTTPLimits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8, maxBodyBytes: 256)

func check(_ input: [UInt8]) {
    guard let control = input.first else { return }
    let splitCount = Int(control & 0x0F)
    guard input.count > splitCount else { return }
    let splits = input[1..<1 + splitCount].map(Int.init)
    let wire = Array(input[(1 + splitCount)...])
    let limits = control & 0x80 != 0 ? smallLimits : HTTPLimits()

    let whole = parse(wire, limits: limits, chunkLengths: [wire.count])
    let split = parse(wire, limits: limits, chunkLengths: splits.allSatisfy { $0 == 0 } ? [1] : splits)
    guard whole == split else {
        fatalError("whole and split parses differ\n whole: \(whole)\n split (\(splits)): \(split)\n input: \(input)")
    }
}

/// Feeds `wire` in chunks of `chunkLengths` (cycled), reading every event after each chunk.
func parse(_ wire: [UInt8], limits: HTTPLimits, chunkLengths: [Int]) -> Outcome {
    var parser = RequestParser(limits: limits)
    var outcome = Outcome()
    var continued: HTTPRequestHead?
    var offset = 0
    var turn = 0
    // Some length is not 0, so each round of lengths feeds at least one byte.
    while offset < wire.count || turn == 0 {
        let length = min(chunkLengths[turn % chunkLengths.count], wire.count - offset)
        turn += 1
        parser.append(wire[offset..<offset + length])
        offset += length
        do {
            while let event = try parser.next() {
                switch event {
                case .continueExpected(let head):
                    precondition(continued == nil, "a second 100 Continue before the request: \(head)")
                    precondition(head.expectsContinue, "100 Continue for a head without the expectation: \(head)")
                    continued = head
                case .request(let request):
                    precondition(continued == nil || continued == request.head, "100 Continue for another request than \(request.head)")
                    continued = nil
                    checkInvariants(request, limits: limits)
                    outcome.requests.append(request)
                }
            }
        } catch {
            // After an error, every later call throws the same one.
            do {
                _ = try parser.next()
                fatalError("the parser went on after \(error)")
            } catch let again {
                precondition(again == error, "the parser threw \(error), then \(again)")
            }
            outcome.error = error
            return outcome
        }
    }
    outcome.leftover = parser.bufferedByteCount
    return outcome
}

/// What every request the parser returns satisfies, whatever the bytes.
func checkInvariants(_ request: HTTPRequest, limits: HTTPLimits) {
    precondition(request.body.count <= limits.maxBodyBytes, "a body of \(request.body.count) bytes passed a limit of \(limits.maxBodyBytes)")
    precondition(request.headers.count <= limits.maxHeaderCount, "\(request.headers.count) headers passed a limit of \(limits.maxHeaderCount)")
    precondition(!request.head.target.isEmpty, "an empty request target")
    // The accessors routes use must not trap on anything the parser accepts.
    _ = (request.path, request.query, request.head.keepAlive, request.head.expectsContinue)
}

FuzzMain.run(check)
