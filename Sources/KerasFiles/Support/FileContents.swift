import Glibc

/// Whole files read through POSIX calls: refused before reading when larger than a limit, with the system's own
/// reason ("No such file or directory") when they cannot be read.
///
/// Not `Data(contentsOf:)` with `FileManager`'s size: outside full Foundation the size attribute is a `UInt`, so
/// the `as? Int` cast that reads it fails quietly and skips the limit, and an error's readable reason
/// (`localizedDescription`) is full Foundation's, which links ICU's data into the static binary. One descriptor
/// for the size and the read, so the file measured is the file read.
package enum FileContents {
    /// Why a file was not read.
    package enum Failure: Error, Equatable {
        /// The system refused to open or read it: `reason` is `strerror`'s text.
        case unreadable(reason: String)
        /// It holds `size` bytes, more than the limit.
        case tooLarge(size: Int)
    }

    /// The bytes of the file at `path`, at most `maxBytes` of them.
    package static func read(_ path: String, maxBytes: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw .tooLarge(size: size) }
        return try readAll(descriptor, expected: size, maxBytes: maxBytes)
    }

    /// Everything `descriptor` yields until end of file, at most `maxBytes`.
    private static func readAll(_ descriptor: Int32, expected: Int, maxBytes: Int) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(reason: String(cString: strerror(errno)))
            }
            // A file that grew after fstat is still held to the limit.
            guard bytes.count + count <= maxBytes else { throw .tooLarge(size: bytes.count + count) }
            bytes += chunk[0..<count]
        }
    }
}
