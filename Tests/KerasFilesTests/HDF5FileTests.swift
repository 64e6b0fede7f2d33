import Testing

@testable import KerasFiles

@Suite struct HDF5FileTests {
    static let files = ["v0.h5", "latest.h5"]

    @Test(arguments: files)
    func superblockVersion(_ name: String) throws {
        let file = try HDF5File(bytes: try Fixtures.bytes(name))
        #expect(file.superblockVersion == (try Fixtures.expected())["hdf5"]?[name]?["superblock"]?.int)
    }

    @Test(arguments: files)
    func datasetsMatchH5py(_ name: String) throws {
        let file = try HDF5File(bytes: try Fixtures.bytes(name))
        let datasets = try #require(try Fixtures.expected()["hdf5"]?[name]?["datasets"]?.object)
        #expect(datasets.count >= 16)
        for (path, expected) in datasets {
            let tensor = try file.readTensor(path)
            #expect(tensor.shape == Fixtures.ints(expected["shape"]), "\(path)")
            #expect(tensor.values == Fixtures.floats(expected["values"]), "\(path)")
        }
    }

    @Test(arguments: files)
    func attributesMatchH5py(_ name: String) throws {
        let file = try HDF5File(bytes: try Fixtures.bytes(name))
        let attributes = try #require(try Fixtures.expected()["hdf5"]?[name]?["attributes"]?.object)
        for (key, expected) in attributes {
            let parts = key.split(separator: ":").map(String.init)
            let (path, attributeName) = parts.count == 2 ? (parts[0], parts[1]) : ("/", key)
            let attribute = try file.attribute(attributeName, of: path)
            if let strings = expected["strings"]?.array {
                #expect(attribute.strings == strings.compactMap(\.string), "\(key)")
            } else if let ints = expected["ints"]?.array {
                #expect(attribute.integers == ints.compactMap { $0.int.map(Int64.init) }, "\(key)")
            } else {
                #expect(attribute.floats == expected["doubles"]?.array?.compactMap(\.double), "\(key)")
            }
        }
        #expect(try file.attribute("vlen_str", of: "/").string == "héllo vlen")
        #expect(try file.attribute("int_array", of: "/").shape == [3])
        #expect(try file.attribute("int_scalar", of: "/").shape == [])
        #expect(caughtError { try file.attribute("nope", of: "/") } == .hdf5NotFound("/ attribute 'nope'"))
    }

    @Test(arguments: files)
    func groupsAndLinks(_ name: String) throws {
        let file = try HDF5File(bytes: try Fixtures.bytes(name))
        let groups = try #require(try Fixtures.expected()["hdf5"]?[name]?["groups"]?.object)
        for (path, children) in groups {
            #expect(try file.childNames(of: path) == children.array?.compactMap(\.string), "\(path)")
        }
        #expect(try file.kind(of: "nested/a/b") == .group)
        #expect(try file.kind(of: "nested/soft/deep") == .dataset)
        #expect(try file.links(of: "nested").contains { $0.name == "soft" && $0.link == .soft("/nested/a/b") })
        #expect(caughtError { try file.readTensor("nested/nope") } == .hdf5NotFound("nested/nope"))
        #expect(try file.walk().contains("/nested/a/b/deep"))
    }

    @Test(arguments: files)
    func integerDatasetIsNotATensor(_ name: String) throws {
        let file = try HDF5File(bytes: try Fixtures.bytes(name))
        guard case .hdf5UnsupportedDatatype? = caughtError({ try file.readTensor("int32") }) else {
            Issue.record("int32 dataset should be refused as a tensor")
            return
        }
    }

    @Test func denseLinkStorage() throws {
        let file = try HDF5File(bytes: try Fixtures.bytes("dense_links.h5"))
        let names = try file.childNames(of: "many")
        #expect(names == (0..<20).map { $0 < 10 ? "d0\($0)" : "d\($0)" })
        for (index, name) in names.enumerated() {
            #expect(try file.readTensor("many/\(name)").values == [Float(index)])
        }
    }

    @Test func resizableDatasets() throws {
        // Default libver: a v1 B-tree chunk index, readable. libver='latest': an extensible array, refused clearly.
        #expect(try HDF5File(bytes: try Fixtures.bytes("v0.h5")).readTensor("resizable").values == [0, 1, 2, 3])
        let latest = try HDF5File(bytes: try Fixtures.bytes("latest.h5"))
        #expect(caughtError { try latest.readTensor("resizable") } == .hdf5Unsupported("chunk index type 4 (extensible array) of 'resizable'"))
    }

    @Test func cyclicLinksAreDetected() throws {
        let file = try HDF5File(bytes: try Fixtures.bytes("cyclic.h5"))
        #expect(caughtError { try file.walk() } == .cyclicLinks("/a/loop"))
        #expect(caughtError { try file.readTensor("s1") } == .cyclicLinks("s1"))
        #expect(caughtError { try file.readTensor("self") } == .cyclicLinks("self"))
        // A finite path through the hard-link loop still resolves.
        #expect(try file.readTensor("a/loop/loop/x").values == [0, 0])
    }

    @Test(arguments: files)
    func hugeDataspaceIsRefusedBeforeAllocating(_ name: String) throws {
        var bytes = try Fixtures.bytes(name)
        let file = try HDF5File(bytes: bytes)
        let message = try #require(try file.header(at: "contiguous").first(HDF5ObjectHeader.MessageType.dataspace))
        let version = bytes[message.start]
        let firstDimension = message.start + (version == 1 ? 8 : 4)
        for i in 0..<8 { bytes[firstDimension + i] = i == 5 ? 0x01 : 0x00 }  // 2^40 rows
        let patched = try HDF5File(bytes: bytes)
        guard case .tooLarge? = caughtError({ try patched.readTensor("contiguous") }) else {
            Issue.record("expected tooLarge")
            return
        }
    }

    @Test func notHDF5() {
        #expect(caughtError { try HDF5File(bytes: Array("definitely not hdf5".utf8)) } == .notAKerasFile("no HDF5 superblock signature"))
    }
}
