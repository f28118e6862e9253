import Foundation
import Testing
@testable import Core

/// ShellWords reads back the words of the lines omnisim renders; bash is the reference for what each
/// line's words are.
@Suite struct ShellWordsTests {
    static let environment = ["X": "ex", "Y_2": "why two", "EMPTY": "", "SPACED": " lead\tand  trail\n"]

    /// The words bash makes of `line` with `environment` set, each printed as `<word>` and a NUL.
    func bashWords(_ line: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--norc", "--noprofile", "-c", "printf '<%s>\\0' " + line]
        process.environment = Self.environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let out = String(decoding: data, as: UTF8.self)
        // printf prints its format once even without arguments.
        if out == "<>\0" { return [] }
        return out.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map { String($0.dropFirst().dropLast()) }
    }

    func words(_ line: String) throws -> [String] {
        try ShellWords.tokens(line).compactMap { token in
            if case .word(let w) = token { return w.fields(in: Self.environment) }
            return nil
        }.flatMap { $0 }
    }

    @Test(arguments: [
        "plain words here",
        "'single quoted $X' \"double $X\" ${Y_2}tail $X$Y_2",
        "\"quotes \\\" \\$X \\\\ kept\" back\\ slash",
        "a\"b\"'c'd \"\" ''",
        "--flag=value --other='x y' ASCEND_RT_VISIBLE_DEVICES=0,1,2,3",
        "\"ünïcödé $X\" 'e\u{301}' \"$EMPTY\"",
        "tab\tseparated   spaces",
        "$EMPTY a$EMPTY \"$EMPTY\" $Y_2 x${Y_2}y $SPACED. \"$SPACED\" $UNSET",
    ])
    func wordsAreWhatBashMakes(_ line: String) throws {
        #expect(try words(line) == bashWords(line), "\(line)")
    }

    @Test func operatorsAreTokensOfTheirOwn() throws {
        let tokens = try ShellWords.tokens("bash pd_run.sh --a 1 > /log/x 2>&1 &")
        let ops = tokens.compactMap { if case .op(let o) = $0 { o } else { nil } }
        #expect(ops == [">", "2>&1", "&"])
        #expect(try words("bash pd_run.sh --a 1 > /log/x 2>&1 &") == ["bash", "pd_run.sh", "--a", "1", "/log/x"])
    }

    @Test(arguments: ["echo $(date)", "echo `date`", "ls *.json", "echo $((1+2))", "echo 'open", "echo \"open", "echo ${X:-d}"])
    func expansionsItDoesNotModelAreReported(_ line: String) {
        #expect(throws: ShellWords.Unsupported.self) { try ShellWords.tokens(line) }
    }

    @Test func commentsEndTheLine() throws {
        #expect(try words("a b # c d") == ["a", "b"])
        #expect(try words("a#b") == ["a#b"])
        #expect(try bashWords("a#b") == ["a#b"])
    }
}
