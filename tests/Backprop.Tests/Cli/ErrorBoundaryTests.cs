using Backprop.Cli;

namespace Backprop.Tests.Cli;

public sealed class ErrorBoundaryTests
{
    [Fact]
    public void An_unexpected_exception_is_an_internal_error_with_exit_1_and_no_stack_trace()
    {
        var error = new StringWriter();

        int code = ErrorBoundary.Run(() => throw new InvalidOperationException("boom\nsecond line"), error, verbose: false);

        Assert.Equal(1, code);
        Assert.Equal("error: internal error: InvalidOperationException: boom second line", error.ToString().TrimEnd());
    }

    [Fact]
    public void A_usage_exception_is_bad_input()
    {
        var error = new StringWriter();

        Assert.Equal(2, ErrorBoundary.Run(() => throw new UsageException("--steps must be at least 1"), error, verbose: false));
        Assert.Equal("error: --steps must be at least 1", error.ToString().TrimEnd());
    }
}
