using System.Diagnostics;
using Backprop.Cli;

namespace Backprop.Tests.Cli;

/// <summary>A reader that leaves early (`backprop explain --steps 100000 | head -1`) is not an error, and a command
/// whose only product is its output stops with it instead of computing for nobody.</summary>
public sealed class ReaderGoneTests
{
    [Fact]
    public void A_broken_pipe_is_not_an_error_and_later_writes_are_dropped()
    {
        var pipe = new PipeWithoutReader();
        var output = new StandardOutput(pipe);

        output.Write("first");
        output.WriteLine("second");

        Assert.True(output.ReaderGone);
        Assert.Equal(1, pipe.Writes);
    }

    [Fact]
    public async Task Explain_stops_computing_steps_once_its_reader_is_gone()
    {
        // Ten million steps take many minutes; with the reader gone after the first write, the run ends at once.
        var error = new StringWriter();
        var run = Task.Run(() => BackpropCli.Run(["explain", "--steps", "10000000"], new StandardOutput(new PipeWithoutReader()), error));

        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.True(finished == run, "explain kept computing steps for a reader that had left");
        Assert.Equal(0, await run);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public async Task The_published_command_stops_quietly_when_a_real_pipe_is_closed()
    {
        // Through the process's own standard output, which the console's stream would not report as broken.
        string cli = Path.Combine(AppContext.BaseDirectory, "backprop.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "explain", "--steps", "10000000"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();

        Assert.StartsWith("Backprop explain", process.StandardOutput.ReadLine());
        process.StandardOutput.Close();

        bool exited = process.WaitForExit(TimeSpan.FromSeconds(60));
        if (!exited) process.Kill();
        Assert.True(exited, "explain kept running after its reader had left");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", await errors);
    }

    /// <summary>A pipe whose reader has left: every write fails with EPIPE, as .NET reports it (errno as HResult).</summary>
    private sealed class PipeWithoutReader : TextWriter
    {
        public int Writes { get; private set; }
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => throw Broken();
        public override void Write(char[] buffer, int index, int count) => throw Broken();
        public override void Write(string? value) => throw Broken();
        private IOException Broken()
        {
            Writes++;
            return new IOException("Broken pipe", 32);
        }
    }
}
