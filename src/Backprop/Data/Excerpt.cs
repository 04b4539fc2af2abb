using System.Globalization;

namespace Backprop.Data;

/// <summary>A value or name as an error message quotes it: whole when short, else its start and its length.</summary>
/// <remarks>NOTE: messages quoted the whole field, so one damaged value of 70,000 characters (a lost line break, a
/// binary file read as CSV) made a 70 KB `error:` line that buried the file, line and column it names.</remarks>
internal static class Excerpt
{
    /// <summary>The longest text quoted whole.</summary>
    public const int MaxLength = 100;

    public static string Of(ReadOnlySpan<char> text) => text.Length <= MaxLength
        ? text.ToString()
        : string.Create(CultureInfo.InvariantCulture, $"{text[..(MaxLength - 20)]}… ({text.Length:N0} characters)");
}
