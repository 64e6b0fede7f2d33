import Foundation
import Testing

@testable import KerasFiles

/// Access to the files written by training/make_checkpoint_fixtures.py.
enum Fixtures {
    static func url(_ name: String) throws -> URL {
        let base = try #require(Bundle.module.resourceURL, "test bundle has no resources")
        return base.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try url(name)))
    }

    /// Golden values dumped by zipfile / h5py / Keras.
    static func expected() throws -> JSONValue {
        try JSONValue.parse(try bytes("expected.json"))
    }

    /// Floats as the JSON holds them (float32 values written in shortest form), rounded to float32.
    static func floats(_ value: JSONValue?) -> [Float] {
        (value?.array ?? []).map { Float($0.double ?? .nan) }
    }

    static func ints(_ value: JSONValue?) -> [Int] {
        (value?.array ?? []).compactMap(\.int)
    }
}

/// The error `body` throws, or nil when it succeeds.
func caughtError<T>(_ body: () throws -> T) -> CheckpointError? {
    do {
        _ = try body()
        return nil
    } catch let error as CheckpointError {
        return error
    } catch {
        Issue.record("unexpected non-CheckpointError \(error)")
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Index of the first occurrence of `needle`.
    func firstRange(of needle: String) -> Range<Int>? {
        let pattern = Array(needle.utf8)
        guard pattern.count <= count else { return nil }
        for start in 0...(count - pattern.count) where self[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start..<(start + pattern.count)
        }
        return nil
    }
}
