import CZlib
import FoundationEssentials
import Glibc

/// One labeled review of the IMDB jsonl files (`{"id", "rating", "label", "text"}` a line).
struct LabeledReview: Decodable {
    let id: String
    let label: Int
    let text: String
}

/// Reads a `.jsonl.gz` (or plain `.jsonl`) file of labeled reviews.
enum ReviewFile {
    static func read(_ path: String) throws -> [LabeledReview] {
        let data = try decompressed(path)
        let decoder = JSONDecoder()
        var reviews: [LabeledReview] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n")) {
            lineNumber += 1
            do {
                reviews.append(try decoder.decode(LabeledReview.self, from: Data(line)))
            } catch {
                throw CommandFailure("\(path):\(lineNumber): not a review object (\(error))")
            }
        }
        return reviews
    }

    /// The whole file through zlib's gzip reader, which also passes plain files through unchanged.
    private static func decompressed(_ path: String) throws -> Data {
        // gzopen opens a directory, and the first read then fails with EISDIR.
        var isDirectory = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory {
            throw CommandFailure("\(path) is a directory; pass one of its .jsonl.gz files, e.g. \(path)/test.jsonl.gz")
        }
        guard let file = gzopen(path, "rb") else {
            throw CommandFailure("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { gzclose(file) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 { throw CommandFailure("\(path): \(readError(file, path: path))") }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<Int(count)])
        }
        return data
    }

    /// What went wrong in a failed `gzread` of `path`: the system's reason for a failed read, else
    /// zlib's (e.g. "invalid distance too far back" for damaged data).
    private static func readError(_ file: gzFile, path: String) -> String {
        let reason = errno
        var code: Int32 = 0
        var message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown error"
        if code == Z_ERRNO { return String(cString: strerror(reason)) }
        // zlib names the file first.
        if message.hasPrefix("\(path): ") { message.removeFirst(path.count + 2) }
        return "damaged gzip data (\(message))"
    }
}

/// The reviews of a text file, one a line, for `predict --file`.
struct ReviewLines: Equatable {
    /// The non-blank lines, in order, without their line endings.
    var reviews: [String] = []
    /// How many lines were empty or held only white space, and were skipped.
    var blankLines = 0

    /// Splits `text` at every line ending, `\n`, `\r\n` or `\r` (files from Linux, Windows and old Macs), and skips
    /// blank lines; a leading byte order mark (Windows editors write one) is dropped.
    init(_ text: String) {
        var text = Substring(text)
        if text.unicodeScalars.first == "\u{FEFF}" { text = Substring(text.unicodeScalars.dropFirst()) }
        // "\r\n" is one Character, so one split; a lone "\r" or "\n" is another. Other Unicode line separators
        // (U+2028, NEL, form feed) stay inside a review, as the tokenizer sees them as white space.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, line) in lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) {
                // The text's final line ending ends the last line; it does not start a blank one.
                if !(index == lines.count - 1 && line.isEmpty) { blankLines += 1 }
            } else {
                reviews.append(String(line))
            }
        }
    }

    /// "skipped 2 blank lines of `path`", or nil when none was.
    func skippedNote(_ path: String) -> String? {
        blankLines == 0 ? nil : "skipped \(blankLines) blank line\(blankLines == 1 ? "" : "s") of \(path == "-" ? "standard input" : path)"
    }

    /// Writes `line` and a newline to standard error, apart from the results on standard output.
    static func writeToStandardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Reads `path` (`-`: standard input). A file that cannot be read throws one line naming it and the system's
    /// reason, as `cat` would: "cannot read reviews.txt: No such file or directory".
    static func read(_ path: String) throws -> ReviewLines {
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            // A directory opens, and its first read fails with EISDIR.
            guard count >= 0 else { throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return ReviewLines(String(decoding: bytes, as: UTF8.self))
    }
}
