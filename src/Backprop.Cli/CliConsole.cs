namespace Backprop.Cli;

/// <summary>Where a command writes: stdout for results, stderr for errors and progress. Tests pass StringWriters.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error);
