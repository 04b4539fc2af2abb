using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Backprop.Cli;

/// <summary>Options that take a real number (`--lr`, `--weight-decay`, `--clip-norm`, `--test-split`), read as plain
/// decimals that float32, the training arithmetic, can hold.</summary>
/// <remarks>NOTE: System.CommandLine reads a double with thousands separators allowed, so a decimal comma lost its
/// meaning without a word: `--lr 0,001` trained at a learning rate of 1, and `--clip-norm 1,5` clipped at 15. And .NET
/// reads 1e400 as infinity and 1e-400 as 0, without error, so the range checks after parsing blamed a value the user
/// never typed ("--lr: Infinity must be a positive number").</remarks>
internal static class NumberOptions
{
    public static Option<double> PlainNumber(this Option<double> option)
    {
        option.CustomParser = result => Parse(result, option.Name) ?? 0;
        return option;
    }

    public static Option<double?> PlainNumber(this Option<double?> option)
    {
        option.CustomParser = result => Parse(result, option.Name);
        return option;
    }

    private static double? Parse(ArgumentResult result, string name)
    {
        // More than one token is System.CommandLine's own arity error ("given 2 times"), reported before this one.
        if (result.Tokens.Count != 1) return null;
        string text = result.Tokens[0].Value;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            result.AddError(text.Contains(',')
                ? $"{name}: '{text}' is not a number (the decimal point is '.', and numbers have no thousands separators)"
                : $"{name}: '{text}' is not a number");
            return null;
        }
        if (Problem(text) is { } problem)
        {
            result.AddError($"{name}: '{text}' {problem}");
            return null;
        }
        return value;
    }

    /// <summary>What is wrong with the text as a float32, or null when nothing is (or when it is no number at all,
    /// which <see cref="Parse"/> reports as "is not a number"): <c>'1e400' is out of range (float32 holds …)</c>.</summary>
    internal static string? Problem(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return null;
        if (double.IsNaN(value) || !LooksFinite(text) && double.IsInfinity(value)) return "is not a finite number";
        float single = (float)value;
        if (!float.IsFinite(single) || (single == 0 && !IsZero(text))) return "is out of range (float32 holds 1.4e-45 to 3.4e38 in size)";
        return null;
    }

    // "Infinity" and "∞" are spelled out; "1e400" is a number too large.
    private static bool LooksFinite(string text) => text.Any(char.IsAsciiDigit);

    // A zero written as such ("0", "-0.0", "0e5"), not a tiny number that float32 rounds to 0.
    private static bool IsZero(string text)
    {
        string mantissa = text.Split('e', 'E')[0];
        return mantissa.All(c => c is '0' or '.' or '+' or '-');
    }
}
