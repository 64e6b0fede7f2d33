/// An immutable open-addressing hash table from UTF-8 byte strings to ids.
///
/// Looking a token up by its bytes avoids building a `String` per token and hashing it with
/// Unicode-aware equality; byte equality is also exactly Python's `str` equality for the
/// tokenizer's output. Words live back to back in one byte arena.
struct WordTable: Sendable {
    /// 16 bytes, so 4 slots share a cache line and the table of the bundled 10,000-word
    /// vocabulary (16,384 slots) takes 256 KB: it stays in L2 next to the model's tables.
    fileprivate struct Slot: Sendable {
        /// The high 32 bits of the word's hash (the low bits pick the slot).
        var fingerprint: UInt32 = 0
        var offset: UInt32 = 0
        var length: Int32 = -1  // -1: empty
        var id: Int32 = 0
    }

    private let slots: [Slot]
    private let arena: [UInt8]
    private let mask: Int

    /// Builds the table; `words[k]` gets id `k` for every `k >= firstID` (lower ids are reserved names).
    /// Returns nil on a duplicate word, with the id where it repeats in `duplicate`.
    /// - Precondition: the words take at most `UInt32.max` bytes (checked by ``Vocabulary``).
    init?(words: [String], firstID: Int, duplicate: inout Int?) {
        // Load factor at most 3/4: linear probing stays short, and the table small.
        var capacity = 16
        while capacity * 3 < (words.count - firstID) * 4 { capacity *= 2 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        var arena: [UInt8] = []
        let mask = capacity - 1
        for id in firstID..<words.count {
            let bytes = Array(words[id].utf8)
            let hash = Self.hash(bytes.withUnsafeBufferPointer { $0 })
            var index = Int(truncatingIfNeeded: hash) & mask
            while slots[index].length >= 0 {
                let slot = slots[index]
                if slot.fingerprint == Self.fingerprint(hash) && arena[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)].elementsEqual(bytes) {
                    duplicate = id
                    return nil
                }
                index = (index + 1) & mask
            }
            slots[index] = Slot(fingerprint: Self.fingerprint(hash), offset: UInt32(arena.count), length: Int32(bytes.count), id: Int32(id))
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
            let fingerprint = WordTable.fingerprint(hash)
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = slots[index]
                if slot.length < 0 { return nil }
                if slot.fingerprint == fingerprint && Int(slot.length) == bytes.count
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
    static func fingerprint(_ hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash >> 32)
    }

    @inline(__always)
    fileprivate static func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for index in 0..<count where a[index] != b[index] { return false }
        return true
    }
}
