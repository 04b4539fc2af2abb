using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Backprop.Cli.Commands;

namespace Backprop.Cli;

/// <summary>
/// The `backprop` command line: the commands, the global options, and the contract's error handling
/// (one `error: ` line on stderr and exit 2 for bad usage; see <see cref="ErrorBoundary"/> for the rest).
/// </summary>
/// <remarks>To add a command, write Commands/XCommand.cs with <c>public static Command Create(CliConsole console)</c>
/// and list it in <see cref="Commands"/>.</remarks>
internal static class BackpropCli
{
    /// <summary>Global: print stack traces with errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print the stack trace with an error",
        Recursive = true,
    };

    private static IEnumerable<Command> Commands(CliConsole console) =>
    [
        ExplainCommand.Create(console),
        GradcheckCommand.Create(console),
        TrainCommand.Create(console),
        EvalCommand.Create(console),
        PredictCommand.Create(console),
        ExportCommand.Create(console),
    ];

    public static RootCommand CreateRoot(CliConsole console)
    {
        var root = new RootCommand("Backprop: a small deep-learning library, and every number of backpropagation shown.");
        root.Options.Add(Verbose);
        foreach (var command in Commands(console)) root.Subcommands.Add(command);
        return root;
    }

    // NOTE: System.CommandLine reads a token starting with '@' as a response file and splices its words into the
    // command line: `--target @timestamp` failed with "Response file not found 'timestamp'", or, where a file of
    // that name existed, silently trained on whatever column it named. The contract has no response files.
    private static readonly ParserConfiguration ParsingRules = new() { ResponseFileTokenReplacer = null };

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var console = new CliConsole(output, error);
        var root = CreateRoot(console);
        var parse = root.Parse(args, ParsingRules);
        bool verbose = parse.GetValue(Verbose);
        if (parse.Action is ParseErrorAction || (parse.Action is null && parse.Errors.Count > 0))
        {
            // NOTE: System.CommandLine would print every error and the help text; the contract wants one line.
            error.WriteLine($"error: {UsageError(parse, root)}");
            return ExitCodes.BadInput;
        }
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return ErrorBoundary.Run(() => parse.Invoke(invocation), error, verbose);
    }

    // NOTE: System.CommandLine names .NET types ("as expected type 'System.Int32'"), which mean nothing to a user.
    private static readonly System.Text.RegularExpressions.Regex TypeError =
        new(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type 'System\.(Nullable`1\[System\.)?(?<type>\w+)\]?'\.?$");

    // NOTE: System.CommandLine's "Argument 'xml' not recognized" does not say which option it was given to, and a
    // repeated option is "expects a single argument but 2 were provided", as if the two values had been one.
    private static readonly System.Text.RegularExpressions.Regex NotAChoice =
        new(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<choices>( '[^']*')+)$");
    private static readonly System.Text.RegularExpressions.Regex Repeated =
        new(@"^Option '(?<option>[^']*)' expects a single argument but (?<count>\d+) were provided\.$");

    private static Option? OptionOf(SymbolResult? result) => result switch
    {
        OptionResult option => option.Option,
        ArgumentResult { Parent: OptionResult option } => option.Option,
        _ => null,
    };

    private static string Plain(ParseError error)
    {
        string message = ErrorBoundary.OneLine(error.Message);
        if (NotAChoice.Match(message) is { Success: true } notAChoice && OptionOf(error.SymbolResult) is { } option)
        {
            var choices = notAChoice.Groups["choices"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(choice => choice.Trim('\''));
            return $"{option.Name}: '{notAChoice.Groups["value"].Value}' is not one of {string.Join(", ", choices)}";
        }
        if (Repeated.Match(message) is { Success: true } repeated)
            return $"{repeated.Groups["option"].Value} is given {repeated.Groups["count"].Value} times; give it once";
        var match = TypeError.Match(message);
        if (!match.Success) return message;
        string value = match.Groups["value"].Value, type = match.Groups["type"].Value;
        bool whole = type is "Int32" or "Int64";
        // 99999999999 is a whole number, only beyond an int's range.
        if (whole && System.Numerics.BigInteger.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
            return $"{match.Groups["option"].Value}: '{value}' is out of range";
        string expected = whole ? "a whole number" : type is "Double" or "Single" ? "a number" : "a value of the right kind";
        return $"{match.Groups["option"].Value}: '{value}' is not {expected}";
    }

    // NOTE: without a known command, System.CommandLine's first error is "Required command was not provided",
    // even for `backprop trian`: name the word it did not know, and the commands it would have.
    private static string UsageError(ParseResult parse, RootCommand root)
    {
        if (parse.CommandResult.Command != root)
            return Plain(parse.Errors[0]);
        string commands = $"one of {string.Join(", ", root.Subcommands.Select(command => command.Name))}; see backprop --help";
        string? word = parse.UnmatchedTokens.FirstOrDefault();
        return word is null ? $"no command given ({commands})"
            : word.StartsWith('-') ? $"unknown option '{word}' before the command ({commands})"
            : $"unknown command '{word}' ({commands})";
    }
}
