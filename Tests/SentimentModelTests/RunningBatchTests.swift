import Testing

@testable import SentimentModel

/// Step-level batching: rows joining and leaving at any step score exactly as `predict` does alone.
struct RunningBatchTests {
    /// Runs `sequences` through a running batch of `capacity` rows, adding a waiting row whenever
    /// there is room and `admitEvery` steps have passed, and returns the scores and peaks by index.
    private func run(_ sequences: [[Int32]], capacity: Int, admitEvery: Int) throws -> (scores: [Float?], peaks: [Int]) {
        let batch = LSTMRunningBatch(classifier: Fixtures.bundled.classifier, capacity: capacity)
        var scores = [Float?](repeating: nil, count: sequences.count)
        var peaks = [Int](repeating: 0, count: sequences.count)
        var waiting = sequences.indices.makeIterator()
        var pending = waiting.next()
        var steps = 0
        var finished = 0
        while finished < sequences.count {
            if steps % admitEvery == 0 {
                while !batch.isFull, let index = pending {
                    try batch.add(sequences[index], tag: index)
                    pending = waiting.next()
                }
            }
            batch.step { row in
                #expect(scores[row.tag] == nil, "row \(row.tag) finished twice")
                scores[row.tag] = row.score
                peaks[row.tag] = row.peakRows
                finished += 1
            }
            steps += 1
            #expect(steps < 100_000, "the batch never drained")
            if steps >= 100_000 { break }
        }
        #expect(batch.count == 0)
        return (scores, peaks)
    }

    @Test(arguments: [(capacity: 1, admitEvery: 1), (capacity: 3, admitEvery: 7), (capacity: 16, admitEvery: 1), (capacity: 64, admitEvery: 50)])
    func rowsJoiningAtAnyStepScoreAsUnbatched(capacity: Int, admitEvery: Int) throws {
        let classifier = Fixtures.bundled.classifier
        let golden = try Fixtures.golden("imdb-lstm-golden.json").cases.map(\.ids)
        // Real reviews, plus the edges: longer than maxLength, a single id, no ids at all.
        let sequences = Array(golden.prefix(40)) + [(0..<700).map { Int32(4 + $0 % 9000) }, [1], []]
        let (scores, peaks) = try run(sequences, capacity: capacity, admitEvery: admitEvery)
        for (index, sequence) in sequences.enumerated() {
            #expect(scores[index] == (try classifier.predict([sequence]))[0], "sequence \(index) (\(sequence.count) ids)")
            #expect((sequence.isEmpty ? 1...1 : 1...capacity).contains(peaks[index]))
        }
        if capacity > 1 { #expect(peaks.max()! > 1) }
    }

    @Test func refusesIdsOutsideTheEmbeddingAndStaysUsable() throws {
        let classifier = Fixtures.bundled.classifier
        let batch = LSTMRunningBatch(classifier: classifier, capacity: 2)
        #expect(throws: ModelError.tokenOutOfRange(id: 10_000, vocabularySize: 10_000)) { try batch.add([1, 10_000], tag: 0) }
        #expect(batch.count == 0)
        try batch.add([1, 14, 22], tag: 7)
        var finished: [LSTMRunningBatch.Finished] = []
        for _ in 0..<3 { batch.step { finished.append($0) } }
        #expect(finished.map(\.tag) == [7])
        #expect(finished.first?.score == (try classifier.predict([[1, 14, 22]]))[0])
    }
}
