using System.Diagnostics;

namespace Backprop.Tests.Cli;

/// <summary>Ctrl-C during `train` on a terminal: the live progress bar hides the cursor, and the interrupted process
/// must show it again, or the user's shell is left without one.</summary>
public sealed class TrainInterruptTests
{
    [Fact]
    public async Task An_interrupted_train_on_a_terminal_shows_the_cursor_again()
    {
        using var folder = new TestFiles.TemporaryDirectory();
        string log = folder.File("terminal.log");
        string cli = Path.Combine(AppContext.BaseDirectory, "backprop.dll");
        string marker = $"--seed {Environment.ProcessId}42";
        // script(1) (util-linux) gives the command a pseudo-terminal and records what it writes there.
        using var terminal = Process.Start(new ProcessStartInfo("script", ["-q", "-c", $"dotnet {cli} train --epochs 1000000 {marker}", log])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        // NOTE: script(1) copies the terminal to its stdout too: unread, that pipe filled (64 KiB of progress bar), script
        // stopped reading the terminal, and train, blocked writing to it, never got to end on SIGTERM.
        _ = terminal.StandardOutput.BaseStream.CopyToAsync(Stream.Null);

        await WaitFor(() => File.Exists(log) && File.ReadAllText(log).Contains(HideCursor), "the progress bar to start");
        int trainer = await Pid(marker);
        // SIGTERM, as `kill` sends: the same handler as Ctrl-C's SIGINT, which a shell's background jobs (a CI runner's,
        // perhaps) inherit as ignored.
        Assert.Equal(0, Kill(trainer, Sigterm));
        bool exited = terminal.WaitForExit(TimeSpan.FromSeconds(30));
        if (!exited) terminal.Kill(entireProcessTree: true);

        Assert.True(exited, "train kept running after SIGTERM");
        string written = File.ReadAllText(log);
        Assert.Contains(ShowCursor, written[written.IndexOf(HideCursor, StringComparison.Ordinal)..]);
    }

    private const string HideCursor = "\u001b[?25l", ShowCursor = "\u001b[?25h";
    private const int Sigterm = 15;

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        for (var clock = Stopwatch.StartNew(); !condition(); await Task.Delay(100))
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"waited a minute for {what}");
    }

    // The dotnet process itself, not script(1), whose command line holds the marker too.
    private static async Task<int> Pid(string marker)
    {
        int pid = 0;
        await WaitFor(() =>
        {
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out int candidate)) continue;
                string commandLine;
                try { commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' '); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                if (commandLine.StartsWith("dotnet ", StringComparison.Ordinal) && commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    pid = candidate;
                    return true;
                }
            }
            return false;
        }, "the train process");
        return pid;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
