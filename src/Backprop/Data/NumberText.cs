using System.Globalization;

namespace Backprop.Data;

/// <summary>Invariant-culture number parsing shared by the text loaders.</summary>
internal static class NumberText
{
    public enum Outcome { Number, Empty, NotANumber, NotFinite }

    /// <summary>Parses a finite float32. NaN, infinities (in any spelling) and values beyond float range are <see cref="Outcome.NotFinite"/>.</summary>
    public static Outcome TryParseFloat(ReadOnlySpan<char> text, out float value)
    {
        Outcome outcome = TryParseDouble(text, out double wide);
        value = (float)wide;
        if (outcome == Outcome.Number && !float.IsFinite(value)) return Outcome.NotFinite;
        return outcome;
    }

    public static Outcome TryParseDouble(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        ReadOnlySpan<char> trimmed = text.Trim();
        if (trimmed.IsEmpty) return Outcome.Empty;
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return double.IsFinite(value) ? Outcome.Number : Outcome.NotFinite;
        // NOTE: .NET accepts "NaN" and "Infinity" but not the C/Python spellings "inf" and "nan";
        // those are still meant as non-finite numbers, so say so rather than "not a number".
        ReadOnlySpan<char> unsigned = trimmed[0] is '+' or '-' ? trimmed[1..] : trimmed;
        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            return Outcome.NotFinite;
        return Outcome.NotANumber;
    }

    /// <summary>Why <see cref="TryParseFloat"/> called a value not finite, for the error message.</summary>
    public static string NotFiniteMessage(ReadOnlySpan<char> text) =>
        TryParseDouble(text, out _) == Outcome.Number
            ? $"'{Excerpt.Of(text)}' is not a finite number in float32, whose values stop at ±3.4e38"
            : $"'{Excerpt.Of(text)}' is not a finite number (NaN and infinity are not allowed)";

    /// <summary>The text a numeric class label is known by: shortest round-trip form, so "1.0" and "1" are one class.</summary>
    public static string Canonical(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
