import Core

/// Reads a P/D run script the way bash would run it, for the part of the language omnisim writes: comments,
/// `. ~/.bashrc`, `export`/`unset`, `cd`, simple commands, and the `pd_run.sh` start (continued over lines,
/// output redirected, in the background). A line outside that part makes the rehearsal fail instead of
/// guessing what the script does.
struct RunScriptReader {
    /// A program the script starts, with the arguments as bash expands them.
    struct Command: Sendable, Hashable {
        var argv: [String]
        var cwd: String
        var environment: [String: String]
        /// The file the command's output is redirected to.
        var output: String? = nil
    }

    struct Result {
        /// Commands before pd_run.sh (pip, python, ray), in order.
        var commands: [Command] = []
        /// pd_run.sh's arguments and environment; nil when the script never starts it.
        var pdRun: Command?
        var bashrcSourced = false
    }

    struct Unreadable: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static func read(_ script: String, environment: [String: String], workingDirectory: String) throws -> Result {
        var result = Result()
        var env = environment
        var cwd = workingDirectory
        // Join continued lines, keeping the number of the first line of each.
        var logical: [(number: Int, text: String)] = []
        var pending: (Int, String)?
        // Lines end at every newline scalar, as bash reads them.
        for (index, raw) in script.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if var p = pending {
                p.1 += "\n" + line
                pending = p
            } else {
                pending = (index + 1, line)
            }
            if line.hasSuffix("\\") { continue }
            logical.append((pending!.0, pending!.1))
            pending = nil
        }
        if let p = pending { logical.append((p.0, p.1)) }

        for (number, text) in logical {
            let tokens: [ShellWords.Token]
            do { tokens = try ShellWords.tokens(text) } catch { throw Unreadable(line: number, reason: "\(error)") }
            if tokens.isEmpty { continue }
            var words: [ShellWords.Word] = []
            var rest: [ShellWords.Token] = []
            for (i, token) in tokens.enumerated() {
                if case .word(let w) = token { words.append(w) } else { rest = Array(tokens[i...]); break }
            }
            let argv = words.flatMap { $0.fields(in: env) }
            guard let command = argv.first else { throw Unreadable(line: number, reason: "a line starts with an operator") }
            switch command {
            case ".", "source":
                guard argv == [command, "~/.bashrc"], rest.isEmpty else {
                    throw Unreadable(line: number, reason: "only '. ~/.bashrc' is modelled")
                }
                result.bashrcSourced = true
            case "export":
                guard rest.isEmpty else { throw Unreadable(line: number, reason: "export with an operator") }
                for pair in argv.dropFirst() {
                    guard let eq = pair.firstIndex(of: "=") else { continue }   // `export NAME` of a set variable
                    env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
                }
            case "unset":
                for name in argv.dropFirst() { env[name] = nil }
            case "cd":
                guard argv.count == 2, rest.isEmpty else { throw Unreadable(line: number, reason: "cd takes one directory") }
                cwd = argv[1]
            case "bash" where argv.count >= 2 && argv[1].hasSuffix("/pd_run.sh") || argv.count >= 2 && argv[1] == "pd_run.sh":
                // `bash pd_run.sh … > log 2>&1 &`: started in the background with its output in a file.
                guard result.pdRun == nil else { throw Unreadable(line: number, reason: "pd_run.sh is started twice") }
                let redirection = rest.map { token -> String in
                    switch token {
                    case .op(let o): return o
                    case .word(let w): return w.expanded(in: env)
                    }
                }
                guard redirection.count == 4, redirection[0] == ">", redirection[2] == "2>&1", redirection[3] == "&" else {
                    throw Unreadable(line: number, reason: "pd_run.sh must run as '… > LOG 2>&1 &'")
                }
                result.pdRun = Command(argv: Array(argv.dropFirst(2)), cwd: cwd, environment: env, output: redirection[1])
            default:
                guard rest.isEmpty else { throw Unreadable(line: number, reason: "'\(command)' with an operator is not modelled") }
                result.commands.append(Command(argv: argv, cwd: cwd, environment: env))
            }
        }
        return result
    }
}
