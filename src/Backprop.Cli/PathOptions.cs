using System.CommandLine;

namespace Backprop.Cli;

/// <summary>Options that name a file or a folder (`--model`, `--data`, `--out`, …).</summary>
internal static class PathOptions
{
    /// <summary>What `-` stands for as an input, as in most Unix tools.</summary>
    public const string StandardInput = "/dev/stdin";

    /// <summary>Refuses an empty value while parsing, before anything is read or written:
    /// <c>error: --out: the path is empty</c> (exit 2).</summary>
    /// <remarks>NOTE: an empty path (an unset shell variable in <c>--out "$MODEL"</c>) otherwise reached .NET's
    /// file APIs, which throw ArgumentException: an internal error (exit 1) for --out and --checkpoint, .NET's
    /// "The value cannot be an empty string" for explain, and ": no such file" for the other inputs.</remarks>
    public static Option<T> NotEmpty<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(token => token.Value.Length == 0)) result.AddError($"{option.Name}: the path is empty");
        });
        return option;
    }

    /// <summary>An input file where `-` reads standard input.</summary>
    /// <remarks>NOTE: `-` was a file named "-": `cat d.csv | backprop predict --data -` said "-: no such file or folder".</remarks>
    public static Option<T> DashIsStandardInput<T>(this Option<T> option) where T : class?
    {
        option.CustomParser = result => result.Tokens.Count == 1
            ? (T)(object)(result.Tokens[0].Value == "-" ? StandardInput : result.Tokens[0].Value)
            : default;
        return option.NotEmpty();
    }

    /// <summary>An output file that cannot be standard output (binary, or beside text written there): `-` is refused.</summary>
    /// <remarks>NOTE: `-` quietly made a file named "-", where a Unix user meant standard output.</remarks>
    public static Option<T> DashRefused<T>(this Option<T> option, string what)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(token => token.Value == "-"))
                result.AddError($"{option.Name}: '-' (standard output) cannot take {what}; give a file name (./- for a file named '-')");
        });
        return option.NotEmpty();
    }

    /// <exception cref="UsageException">Two of <paramref name="inputs"/> read standard input.</exception>
    /// <remarks>NOTE: the first reader takes all of it and the second finds it empty: `eval --model - --data -` said
    /// the data was "not a model file".</remarks>
    public static void RefuseSharedStandardInput(params (string Flag, string? Path)[] inputs)
    {
        var readers = inputs.Where(input => input.Path == StandardInput).Select(input => input.Flag).ToArray();
        if (readers.Length > 1)
            throw new UsageException($"{readers[0]} and {readers[1]} both read standard input; only one of them can");
    }
}
