import Testing

@testable import SentimentModel

struct TokenizerTests {
    @Test(arguments: [
        ("Don’t stop", ["don't", "stop"]),
        ("'quoted' ''' it's'", ["quoted", "it's"]),
        ("One<br />two<BR>three<br  />four<br/>five<bR >six", ["one", "two", "three", "four", "five", "six"]),
        ("<br x>", ["br", "x"]),
        ("CAFÉ ÉTÉ Straße ×÷", ["café", "été", "straße"]),
        ("great😀movie 10/10 日本語", ["great", "movie", "10", "10"]),
        ("", []),
    ])
    func specificationExamples(text: String, expected: [String]) {
        #expect(Tokenizer.tokens(in: text) == expected)
    }

    @Test func agreesWithThePythonTokenizerOnTheGoldenReviews() throws {
        let golden = try Fixtures.golden("imdb-lstm-golden.json")
        let vocabulary = try #require(Fixtures.bundled.vocabulary)
        #expect(golden.cases.count >= 200)
        for item in golden.cases {
            let text = try #require(item.text)
            #expect(Tokenizer.tokens(in: text) == item.tokens, "\(item.name ?? "")")
            #expect(vocabulary.encode(text) == item.ids, "\(item.name ?? "")")
        }
    }
}
