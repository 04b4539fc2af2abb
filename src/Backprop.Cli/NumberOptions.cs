using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Backprop.Cli;

/// <summary>Options that take a real number (`--lr`, `--test-split`, …), read as plain decimals.</summary>
/// <remarks>NOTE: System.CommandLine reads a double with thousands separators allowed, so a decimal comma lost its
/// meaning without a word: `--lr 0,001` trained at a learning rate of 1, and `--clip-norm 1,5` clipped at 15.</remarks>
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
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        result.AddError(text.Contains(',')
            ? $"{name}: '{text}' is not a number (the decimal point is '.', and numbers have no thousands separators)"
            : $"{name}: '{text}' is not a number");
        return null;
    }
}
