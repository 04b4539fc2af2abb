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
        ReadOnlySpan<char> trimmed = text.Trim();
        if (TryParsePlainDecimal(trimmed, out value)) return Outcome.Number;
        value = 0;
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

    // Exact powers of ten: every one up to 10^22 is a double without rounding.
    static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// The common case of a data file, a plain decimal such as "255", "-0.5" or "3.25" with at most 19 digits, read
    /// without the general parser; false for anything else (exponents, long digit strings, words), which the general
    /// parser then reads.
    /// </summary>
    /// <remarks>NOTE: the general parser took ~19 ns a field, two thirds of loading a CSV of pixels. The result is the
    /// same double: when the digits form an integer w ≤ 2^53 and there are k ≤ 22 of them after the point, w and 10^k
    /// are both exact doubles and IEEE division rounds w / 10^k correctly, as the general parser does (Clinger's fast
    /// path).</remarks>
    internal static bool TryParsePlainDecimal(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (!text.IsEmpty && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            i = 1;
        }
        ulong digits = 0;
        int count = 0, pointAt = -1;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit <= 9)
            {
                if (++count > 19) return false;
                digits = digits * 10 + digit;
            }
            else if (text[i] == '.' && pointAt < 0)
                pointAt = count;
            else
                return false;
        }
        if (count == 0 || digits > 1UL << 53) return false;
        int decimals = pointAt < 0 ? 0 : count - pointAt;
        double magnitude = decimals == 0 ? digits : digits / PowersOfTen[decimals];
        value = negative ? -magnitude : magnitude;
        return true;
    }

    /// <summary>Why <see cref="TryParseFloat"/> called a value not finite, for the error message.</summary>
    public static string NotFiniteMessage(ReadOnlySpan<char> text) =>
        TryParseDouble(text, out _) == Outcome.Number
            ? $"'{Excerpt.Of(text)}' is not a finite number in float32, whose values stop at ±3.4e38"
            : $"'{Excerpt.Of(text)}' is not a finite number (NaN and infinity are not allowed)";

    /// <summary>The text a numeric class label is known by: shortest round-trip form, so "1.0" and "1" are one class.</summary>
    public static string Canonical(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
