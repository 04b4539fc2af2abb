using System.CommandLine;

namespace Backprop.Cli;

/// <summary>Options that name a file or a folder (`--model`, `--data`, `--out`, …).</summary>
internal static class PathOptions
{
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
}
