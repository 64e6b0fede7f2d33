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
