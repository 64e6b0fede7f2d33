/// An immutable open-addressing hash table from UTF-8 byte strings to ids.
///
/// Looking a token up by its bytes avoids building a `String` per token and hashing it with
/// Unicode-aware equality; byte equality is also exactly Python's `str` equality for the
/// tokenizer's output. Words live back to back in one byte arena.
struct WordTable: Sendable {
    fileprivate struct Slot: Sendable {
        var hash: UInt64 = 0
        var offset: Int32 = 0
        var length: Int32 = -1  // -1: empty
        var id: Int32 = 0
    }

    private let slots: [Slot]
    private let arena: [UInt8]
    private let mask: Int

    /// Builds the table; `words[k]` gets id `k` for every `k >= firstID` (lower ids are reserved names).
    /// Returns nil on a duplicate word, with the id where it repeats in `duplicate`.
    init?(words: [String], firstID: Int, duplicate: inout Int?) {
        var capacity = 16
        while capacity < (words.count - firstID) * 2 { capacity *= 2 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        var arena: [UInt8] = []
        let mask = capacity - 1
        for id in firstID..<words.count {
            let bytes = Array(words[id].utf8)
            let hash = Self.hash(bytes.withUnsafeBufferPointer { $0 })
            var index = Int(truncatingIfNeeded: hash) & mask
            while slots[index].length >= 0 {
                let slot = slots[index]
                if slot.hash == hash && arena[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)].elementsEqual(bytes) {
                    duplicate = id
                    return nil
                }
                index = (index + 1) & mask
            }
            slots[index] = Slot(hash: hash, offset: Int32(arena.count), length: Int32(bytes.count), id: Int32(id))
            arena.append(contentsOf: bytes)
        }
        self.slots = slots
        self.arena = arena
        self.mask = mask
    }

    /// The id of `bytes`, or nil.
    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        withLookup { $0.id(of: bytes) }
    }

    /// Calls `body` with a view of the table that looks words up without reference counting; valid only inside `body`.
    func withLookup<R>(_ body: (Lookup) -> R) -> R {
        slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                body(Lookup(slots: slots, arena: arena, mask: mask))
            }
        }
    }

    /// The table's storage as plain pointers, for a run of lookups (a whole review).
    struct Lookup {
        fileprivate let slots: UnsafeBufferPointer<Slot>
        fileprivate let arena: UnsafeBufferPointer<UInt8>
        fileprivate let mask: Int

        /// The id of `bytes`, or nil.
        func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
            let hash = WordTable.hash(bytes)
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = slots[index]
                if slot.length < 0 { return nil }
                if slot.hash == hash && Int(slot.length) == bytes.count
                    && (bytes.isEmpty || WordTable.memoryEqual(arena.baseAddress! + Int(slot.offset), bytes.baseAddress!, bytes.count))
                {
                    return slot.id
                }
                index = (index + 1) & mask
            }
        }
    }

    /// 64-bit FNV-1a.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    @inline(__always)
    fileprivate static func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for index in 0..<count where a[index] != b[index] { return false }
        return true
    }
}
