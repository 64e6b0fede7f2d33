import Foundation
import Glibc
import SentimentModel
import TestSupport
import Testing

extension EndToEnd {
    /// The command line as a person expects it: `predict --file` reads any text file, file errors say which file and
    /// why in one line, and each command's help speaks of that command.
    @Suite("The command line", .enabled(if: ServerProcess.executableURL != nil, "lstm-serve is not built next to the test product"))
    struct CommandLineTests {
        /// The same three reviews with a blank and a white-space line between, in each line-ending convention, after
        /// the byte order mark Windows editors write.
        @Test(arguments: ["\n", "\r\n", "\r"])
        func predictFileSplitsOnEveryLineEndingAndSkipsBlankLines(ending: String) throws {
            let reviews = ["A wonderful, moving film.", "Dull, predictable and far too long.", "Fine"]
            let file = try Self.temporaryFile("\u{FEFF}" + reviews[0] + ending + ending + reviews[1] + ending + "  \t" + ending + reviews[2] + ending)
            defer { try? FileManager.default.removeItem(at: file) }
            let fromFile = try Self.run(["predict", "--file", file.path])
            #expect(fromFile.status == 0, "\(fromFile.output)")
            let fromArguments = try Self.run(["predict"] + reviews)
            #expect(Self.results(fromFile.output) == Self.results(fromArguments.output))
            #expect(Self.results(fromFile.output).map { $0.split(separator: "\t").last.map(String.init) } == reviews)
            #expect(fromFile.output.contains("skipped 2 blank lines of \(file.path)"), "\(fromFile.output)")
        }

        @Test func aFileOfBlankLinesIsAnErrorNamingIt() throws {
            let file = try Self.temporaryFile("\r\n \n\n")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try Self.run(["predict", "--file", file.path])
            #expect(result.status == 1)
            #expect(result.output.contains("Error: \(file.path) holds no review: every line is blank"), "\(result.output)")
        }

        /// Missing, a directory, unreadable: one line with the file and the system's reason, no Foundation error dump.
        @Test(arguments: ["No such file or directory", "Is a directory", "Permission denied"])
        func aFileThatCannotBeReadIsNamedWithTheReasonInOneLine(reason: String) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-serve-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var path = directory.appendingPathComponent("missing.txt").path
            var asUser = false
            switch reason {
            case "Is a directory":
                path = directory.path
            case "Permission denied":
                path = directory.appendingPathComponent("unreadable.txt").path
                try Data("A fine film.\n".utf8).write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
                asUser = true
            default: break
            }
            let result = try Self.run(["predict", "--file", path], withoutFileOverride: asUser)
            #expect(result.status == 1)
            let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errors == ["Error: cannot read \(path): \(reason)"], "\(result.output)")
            #expect(!result.output.contains("NSCocoaErrorDomain") && !result.output.contains("Usage"), "\(result.output)")
        }

        @Test(arguments: ["predict", "eval", "bench", "inspect", "tokenize"])
        func aCommandsHelpSaysNothingOfTheServer(command: String) throws {
            let help = try Self.run([command, "--help"])
            #expect(help.status == 0)
            #expect(!help.output.contains("token requests"), "\(help.output)")
            #expect(!help.output.contains("../shared"), "\(help.output)")
        }

        @Test func theServersHelpSaysWhatAVocabularyIsFor() throws {
            let help = try Self.run(["serve", "--help"])
            #expect(Self.flattened(help.output).contains("the server answers token requests only"), "\(help.output)")
            #expect(help.output.contains("--max-items-per-request"))
        }

        @Test func theTopLevelHelpPointsToTheServersOptions() throws {
            let help = try Self.run(["--help"])
            #expect(help.status == 0)
            #expect(Self.flattened(help.output).contains("'lstm-serve serve --help' lists the server's options"), "\(help.output)")
        }

        /// `text` with each run of white space (help text wraps at the terminal's width) as one space.
        static func flattened(_ text: String) -> String {
            text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }

        /// The `label\tscore\treview` lines of `predict`'s output.
        static func results(_ output: String) -> [String] {
            output.split(separator: "\n").filter { $0.contains("\t") }.map(String.init)
        }

        static func temporaryFile(_ text: String) throws -> URL {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-serve-reviews-\(UUID().uuidString).txt")
            try Data(text.utf8).write(to: file)
            return file
        }

        /// Runs the executable with the bundled model and waits (bounded) for it to exit. With `withoutFileOverride`,
        /// as root it runs without the capabilities that let root read any file, so that a mode-000 file is
        /// unreadable to it as to anyone else.
        static func run(_ arguments: [String], withoutFileOverride: Bool = false) throws -> (status: Int32, output: String) {
            let executable = try #require(ServerProcess.executableURL)
            let modelArguments =
                ["predict", "eval", "bench"].contains(arguments[0]) && !arguments.contains("--help")
                ? ["--model", BundledModel.checkpointURL.path, "--vocab", BundledModel.vocabularyURL.path] : []
            var command = (executable, Array(arguments.prefix(1)) + modelArguments + arguments.dropFirst())
            if withoutFileOverride && geteuid() == 0 {
                let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
                try #require(FileManager.default.isExecutableFile(atPath: setpriv.path), "root needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
                command = (setpriv, ["--bounding-set", "-dac_override,-dac_read_search", "--", executable.path] + command.1)
            }
            let process = try ServerProcess(executable: command.0, arguments: command.1)
            try process.waitForExit(timeout: .seconds(60))
            #expect(process.exitedNormally, "\(process.output)")
            return (process.exitStatus, process.output)
        }
    }
}
