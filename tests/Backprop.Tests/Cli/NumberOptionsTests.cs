using Backprop.Cli;

namespace Backprop.Tests.Cli;

public sealed class NumberOptionsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0.0")]
    [InlineData("0e5")]
    [InlineData("0.002")]
    [InlineData("3e38")]
    [InlineData("1e-45")]
    public void A_number_float32_holds_is_accepted_zero_included(string text) => Assert.Null(NumberOptions.Problem(text));

    [Theory]
    [InlineData("1e400", "is out of range (float32 holds 1.4e-45 to 3.4e38 in size)")]
    [InlineData("1e-50", "is out of range (float32 holds 1.4e-45 to 3.4e38 in size)")]
    [InlineData("-Infinity", "is not a finite number")]
    [InlineData("NaN", "is not a finite number")]
    public void A_number_float32_cannot_hold_is_named_for_what_it_is(string text, string problem) => Assert.Equal(problem, NumberOptions.Problem(text));

    [Fact]
    public void Text_that_is_no_number_is_left_to_the_parser_which_says_so() => Assert.Null(NumberOptions.Problem("abc"));
}
