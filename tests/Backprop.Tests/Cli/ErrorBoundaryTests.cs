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

    [Fact]
    public void A_full_standard_output_is_an_output_error_with_exit_2_not_a_bug()
    {
        // `backprop explain > /dev/full` ended in "internal error: IOException: No space left on device" (exit 1).
        var error = new StringWriter();

        int code = BackpropCli.Run(["explain", "--steps", "3"], new StandardOutput(new FullDevice()), error);

        Assert.Equal(2, code);
        Assert.Equal("error: standard output: cannot write the file (No space left on device)", error.ToString().TrimEnd());
    }

    [Fact]
    public void A_closed_standard_output_is_named_as_closed_not_as_access_denied()
    {
        // `backprop explain >&-` said "error: Access to the path is denied." (.NET's wrapping of EBADF).
        var error = new StringWriter();

        int code = BackpropCli.Run(["explain", "--steps", "3"], new StandardOutput(new ClosedDescriptor()), error);

        Assert.Equal(2, code);
        Assert.Equal("error: standard output: cannot write the file (Bad file descriptor)", error.ToString().TrimEnd());
    }

    /// <summary>A writer that fails as a closed descriptor does under .NET's console stream.</summary>
    private sealed class ClosedDescriptor : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => throw Closed();
        public override void Write(char[] buffer, int index, int count) => throw Closed();
        public override void Write(string? value) => throw Closed();
        private static UnauthorizedAccessException Closed() =>
            new("Access to the path is denied.", new IOException("Bad file descriptor"));
    }

    /// <summary>A writer that fails as /dev/full does.</summary>
    private sealed class FullDevice : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => throw new IOException("No space left on device");
        public override void Write(char[] buffer, int index, int count) => throw new IOException("No space left on device");
        public override void Write(string? value) => throw new IOException("No space left on device");
    }

    [Fact]
    public void Eval_tables_to_a_full_standard_output_are_an_output_error_too()
    {
        // eval's text goes through Spectre, which was handed the console's own writer and bypassed the check.
        using var directory = new TestFiles.TemporaryDirectory();
        string model = directory.File("m.bp"), data = directory.File("d.csv");
        File.WriteAllText(data, "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n");
        Assert.Equal(0, BackpropCli.Run(["train", "--data", data, "--epochs", "1", "--out", model, "--format", "json"], new StringWriter(), new StringWriter()));
        var error = new StringWriter();

        int code = BackpropCli.Run(["eval", "--model", model, "--data", data],
            new StandardOutput(new FullDevice()), error);

        Assert.Equal(2, code);
        Assert.Equal("error: standard output: cannot write the file (No space left on device)", error.ToString().TrimEnd());
    }

    [Fact]
    public void When_standard_error_refuses_too_the_exit_code_still_says_what_happened()
    {
        // `explain >/dev/full 2>&1` aborted the process (SIGABRT, 134) while writing the error line.
        int code = BackpropCli.Run(["explain"], new StandardOutput(new FullDevice()), new FullDevice());

        Assert.Equal(2, code);
    }
}
