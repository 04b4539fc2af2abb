using System.Globalization;
using Backprop.Data;
using FsCheck.Xunit;

namespace Backprop.Tests.Data;

/// <summary>The plain-decimal fast path must give the general parser's double, bit for bit, or decline.</summary>
public sealed class NumberTextTests
{
    static double General(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Property(MaxTest = 2000)]
    public void A_plain_decimal_reads_as_the_general_parser_reads_it(ulong digits, byte decimals, bool negative, bool plusSign)
    {
        string number = digits.ToString(CultureInfo.InvariantCulture);
        int places = decimals % (number.Length + 2);
        string text = places == 0 ? number
            : places >= number.Length ? "0." + new string('0', places - number.Length) + number
            : number[..^places] + "." + number[^places..];
        text = (negative ? "-" : plusSign ? "+" : "") + text;

        if (NumberText.TryParsePlainDecimal(text, out double fast))
            Assert.Equal(BitConverter.DoubleToInt64Bits(General(text)), BitConverter.DoubleToInt64Bits(fast));
        else
            Assert.True(text.Count(char.IsAsciiDigit) > 19 || ulong.Parse(new string(text.Where(char.IsAsciiDigit).ToArray()), CultureInfo.InvariantCulture) > 1UL << 53,
                $"declined {text}");
    }

    [Theory]
    [InlineData("0"), InlineData("-0"), InlineData("+0.0"), InlineData("255"), InlineData("-0.5"), InlineData(".5"), InlineData("5.")]
    [InlineData("0.1"), InlineData("3.14159"), InlineData("9007199254740992"), InlineData("123456.7890123"), InlineData("0.000000000000000001")]
    public void Edge_cases_match_the_general_parser(string text)
    {
        Assert.True(NumberText.TryParsePlainDecimal(text, out double fast));
        Assert.Equal(BitConverter.DoubleToInt64Bits(General(text)), BitConverter.DoubleToInt64Bits(fast));
    }

    [Theory]
    [InlineData(""), InlineData("-"), InlineData("."), InlineData("-."), InlineData("1e5"), InlineData("1.2.3"), InlineData("1,5")]
    [InlineData(" 1"), InlineData("0x10"), InlineData("NaN"), InlineData("inf"), InlineData("--1"), InlineData("9007199254740993")]
    [InlineData("12345678901234567890"), InlineData("1234567890.123456789"), InlineData("0.0000000000000000001")]
    public void Anything_else_is_left_to_the_general_parser(string text)
    {
        Assert.False(NumberText.TryParsePlainDecimal(text, out _));
    }

    [Theory]
    [InlineData("1e5", 1e5), InlineData(" 7 ", 7), InlineData("9007199254740993", 9007199254740993d), InlineData("1E-3", 1e-3)]
    public void The_general_parser_still_reads_what_the_fast_path_declines(string text, double expected)
    {
        Assert.Equal(NumberText.Outcome.Number, NumberText.TryParseDouble(text, out double value));
        Assert.Equal(expected, value);
    }
}
