import Testing

@testable import KerasFiles

/// Hand-made loops in HDF5 internals (patched into the valid fixtures) must be detected, not followed forever.
@Suite struct StructureLoopTests {
    @Test func selfReferencingChunkBTreeNode() throws {
        var bytes = try Fixtures.bytes("v0.h5")
        let file = try HDF5File(bytes: bytes)
        guard case .chunked(_, .btreeV1(let root)) = try file.datasetInfo("many_chunks").layout else {
            Issue.record("many_chunks should use a v1 B-tree chunk index")
            return
        }
        let node = Int(root)
        #expect(bytes[node + 5] > 0, "root must be an internal node for this test")
        // Node header: "TREE", type, level, entries (2), left and right siblings; then key 0 (24 bytes), child 0.
        let firstChild = node + 8 + 16 + 24
        for i in 0..<8 { bytes[firstChild + i] = UInt8(truncatingIfNeeded: root >> (8 * UInt64(i))) }
        let patched = try HDF5File(bytes: bytes)
        #expect(
            caughtError { try patched.readTensor("many_chunks") }
                == .cyclicLinks("B-tree node at address \(root) of chunks of 'many_chunks' is reached twice"))
    }

    @Test func objectHeaderContinuationLoop() throws {
        var bytes = try Fixtures.bytes("v0.h5")
        let file = try HDF5File(bytes: bytes)
        let address = Int(try file.resolve("contiguous"))
        #expect(bytes[address] == 1, "version 1 object header expected")
        let size = Int(bytes[address + 8]) | Int(bytes[address + 9]) << 8
        // Turn the first NIL message big enough to hold (offset, length) into a continuation to this very block.
        var position = address + 16
        var patchedOne = false
        while position + 8 <= address + 16 + size {
            let type = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            let length = Int(bytes[position + 2]) | Int(bytes[position + 3]) << 8
            if type == 0, length >= 16 {
                bytes[position] = 0x10
                let body = position + 8
                for i in 0..<8 { bytes[body + i] = UInt8(truncatingIfNeeded: (address + 16) >> (8 * i)) }
                for i in 0..<8 { bytes[body + 8 + i] = UInt8(truncatingIfNeeded: size >> (8 * i)) }
                patchedOne = true
                break
            }
            position += 8 + length
        }
        try #require(patchedOne, "no NIL message to patch")
        let patched = try HDF5File(bytes: bytes)
        guard case .cyclicLinks? = caughtError({ try patched.readTensor("contiguous") }) else {
            Issue.record("expected cyclicLinks")
            return
        }
    }

    @Test func tensorElementLimit() throws {
        let limits = CheckpointLimits(maxTensorElements: 100)
        #expect(
            caughtError { try KerasCheckpoint.load(bytes: try Fixtures.bytes("lstm.keras"), limits: limits) }
                == .tooLarge(what: "dataset 'layers/embedding/vars/0'", size: 180, limit: 100))
    }
}
